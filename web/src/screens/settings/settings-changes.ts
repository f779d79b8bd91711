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

export function settingsChanged(saved: WhatsappSettings, draft: WhatsappSettings): boolean {
  return canonical(normalised(saved)) !== canonical(normalised(draft));
}
