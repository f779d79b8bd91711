// An advisor's settings: defaults, and the rules a change must follow. Rule failures are 422s
// that name each field, so the dashboard can show the message next to the input.
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { AppError } from '../app-error.js';
import { canonicalTimeZone, supportedLocale } from '../time/zone-and-locale.js';
import {
  defaultPacing,
  FALLBACK_PACING_BOUNDS,
  mergePacing,
  pacingPatchSchema,
  readPacing,
  type PacingBounds,
  type PacingSettings,
} from './pacing-settings.js';

export interface AdvisorSettings {
  defaultCountry: string;
  timezone: string;
  locale: string;
  rateLimit: { max: number; durationMs: number };
  quietHours: { start: string; end: string } | null;
  reminderOffsetMinutes: number;
  followUpDelayMinutes: number;
  /** A reminder whose time has already passed when the appointment is booked: skip it or send now. */
  lateReminder: 'skip' | 'send_now';
  rescheduleNotice: boolean;
  ctaEnabled: boolean;
  ctaMessage: string;
  /** Account-safety pacing (gap with jitter, caps, warm-up, pause after failures). */
  pacing: PacingSettings;
}

export interface SettingsBounds {
  rateLimit: { max: number; durationMs: number; maxCeiling: number };
  /** Absent: pacing off with built-in defaults (contexts built by hand in tests). */
  pacing?: PacingBounds;
}

export const pacingBoundsOf = (bounds: SettingsBounds): PacingBounds =>
  bounds.pacing ?? FALLBACK_PACING_BOUNDS;

export function defaultSettings(bounds: SettingsBounds): AdvisorSettings {
  return {
    defaultCountry: 'ES',
    timezone: 'Europe/Madrid',
    locale: 'es-ES',
    rateLimit: { max: bounds.rateLimit.max, durationMs: bounds.rateLimit.durationMs },
    quietHours: { start: '21:00', end: '08:00' },
    reminderOffsetMinutes: 1440,
    followUpDelayMinutes: 120,
    lateReminder: 'send_now',
    rescheduleNotice: true,
    ctaEnabled: true,
    ctaMessage: 'Hola, me gustaría reservar una cita',
    pacing: defaultPacing(pacingBoundsOf(bounds)),
  };
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (24 h), e.g. 21:00');

function patchSchema(bounds: SettingsBounds) {
  return z
    .object({
      defaultCountry: z
        .string()
        .transform((v) => v.toUpperCase())
        .refine((v) => isSupportedCountry(v), 'must be an ISO 3166 two-letter country code, e.g. ES or MX'),
      timezone: z.string().transform((v, ctx) => {
        const zone = canonicalTimeZone(v);
        if (zone) return zone;
        ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone, e.g. Europe/Madrid' });
        return z.NEVER;
      }),
      locale: z.string().transform((v, ctx) => {
        const locale = supportedLocale(v);
        if (locale) return locale;
        ctx.addIssue({
          code: 'custom',
          message: 'must be a BCP-47 locale that dates can be written in, e.g. es-MX or en',
        });
        return z.NEVER;
      }),
      // Either field alone keeps the other: "any subset of settings" reaches inside this object.
      rateLimit: z
        .object({
          max: z
            .number()
            .int()
            .min(1)
            .max(
              bounds.rateLimit.maxCeiling,
              `must be at most ${bounds.rateLimit.maxCeiling} (the server's bound)`,
            ),
          durationMs: z.number().int().min(1_000).max(86_400_000),
        })
        .partial()
        .strict(),
      quietHours: z.object({ start: hhmm, end: hhmm }).strict().nullable(),
      reminderOffsetMinutes: z.number().int().min(0).max(20_160, 'must be at most 14 days (20160 minutes)'),
      followUpDelayMinutes: z.number().int().min(0).max(43_200, 'must be at most 30 days (43200 minutes)'),
      lateReminder: z.enum(['skip', 'send_now']),
      rescheduleNotice: z.boolean(),
      ctaEnabled: z.boolean(),
      ctaMessage: z.string().trim().min(1).max(1_000),
      pacing: pacingPatchSchema(pacingBoundsOf(bounds)),
    })
    .partial()
    .strict();
}

/** Validates a partial settings change and merges it over the current settings. */
export function applySettingsPatch(
  current: AdvisorSettings,
  patch: unknown,
  bounds: SettingsBounds,
): AdvisorSettings {
  const parsed = patchSchema(bounds).safeParse(patch ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({
      field: ['settings', ...i.path].join('.'),
      message: i.code === 'unrecognized_keys' ? `unknown setting(s): ${i.keys.join(', ')}` : i.message,
    }));
    throw new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), {
      fields,
    });
  }
  const { pacing, rateLimit, ...rest } = parsed.data;
  const next = { ...current, ...rest } as AdvisorSettings;
  if (rateLimit) next.rateLimit = { ...current.rateLimit, ...rateLimit };
  // A partial pacing change keeps the other pacing fields.
  if (pacing) next.pacing = mergePacing(current.pacing, pacing);
  return next;
}

/** Stored settings merged over the defaults, so rows written before a setting existed still read fully. */
export function readSettings(stored: Record<string, unknown>, bounds: SettingsBounds): AdvisorSettings {
  const defaults = defaultSettings(bounds);
  const settings: AdvisorSettings = {
    ...defaults,
    ...(stored as Partial<AdvisorSettings>),
    pacing: readPacing(stored.pacing, pacingBoundsOf(bounds)),
  };
  // Rows written before these values were checked this strictly may hold a zone or locale the
  // date formatting cannot use; the default serves them rather than failing every booking.
  settings.timezone = canonicalTimeZone(String(settings.timezone)) ?? defaults.timezone;
  settings.locale = supportedLocale(String(settings.locale)) ?? defaults.locale;
  return settings;
}
