// Whether the Settings form holds changes that are not saved: what a save would send, compared
// with what the server holds, both read with the defaults the form shows for a missing value (a
// switch turned off and on again is no change).
import type { WhatsappSettings } from '../../lib/api-types';

function normalised(settings: WhatsappSettings): WhatsappSettings {
  return {
    ...settings,
    ctaEnabled: settings.ctaEnabled ?? true,
    lateReminder: settings.lateReminder ?? 'send_now',
    rescheduleNotice: settings.rescheduleNotice ?? true,
  };
}

/** JSON with object keys in order, so two equal settings read the same whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

const NESTED = new Set(['rateLimit', 'pacing']);

/**
 * What a save sends: only the settings the advisor changed (and of `rateLimit` and `pacing`, only
 * the fields changed). The server stores only what an advisor set, so everything left untouched
 * keeps following the server's defaults; and a save from another tab changing other settings is
 * not undone by this one's copy of them.
 */
export function settingsPatch(saved: WhatsappSettings, draft: WhatsappSettings): Partial<WhatsappSettings> {
  const before = normalised(saved) as unknown as Record<string, unknown>;
  const after = normalised(draft) as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (NESTED.has(key) && value && old && typeof value === 'object' && typeof old === 'object') {
      const fields = Object.entries(value).filter(
        ([field, v]) => canonical(v) !== canonical((old as Record<string, unknown>)[field]),
      );
      if (fields.length > 0) patch[key] = Object.fromEntries(fields);
    } else if (canonical(value) !== canonical(old)) {
      patch[key] = value;
    }
  }
  return patch as Partial<WhatsappSettings>;
}

export function settingsChanged(saved: WhatsappSettings, draft: WhatsappSettings): boolean {
  return Object.keys(settingsPatch(saved, draft)).length > 0;
}
