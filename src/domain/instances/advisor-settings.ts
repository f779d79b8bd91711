// An advisor's settings: defaults, and the rules a change must follow. Rule failures are 422s
// that name each field, so the dashboard can show the message next to the input.
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { AppError } from '../app-error.js';
import { CTA_MESSAGE_TOO_LONG_FOR_QR, ctaMessageFitsInQrCode } from '../public-cta/cta-qr-code.js';
import { defaultCtaMessage } from '../public-cta/default-cta-message.js';
import { canonicalTimeZone, localeWithoutExtensions, supportedLocale } from '../time/zone-and-locale.js';
import {
  clamp,
  defaultPacing,
  FALLBACK_PACING_BOUNDS,
  mergePacing,
  pacingPatchSchema,
  readPacing,
  type PacingBounds,
  type PacingSettings,
} from './pacing-settings.js';

/** The longest wait after an appointment's end for its follow-up: 30 days. */
export const FOLLOW_UP_DELAY_MAX_MINUTES = 43_200;

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
    ctaMessage: defaultCtaMessage('es-ES'),
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
        if (locale && locale === localeWithoutExtensions(locale)) return locale;
        ctx.addIssue({
          code: 'custom',
          // Refused rather than trimmed: the advisor asked for something the messages will not do.
          message: locale
            ? `must be a BCP-47 locale without extensions (-u-, -t-, -x-), which change the calendar and digits of the dates in messages: use ${localeWithoutExtensions(locale)}, not ${locale}`
            : 'must be a BCP-47 locale that dates can be written in, e.g. es-MX or en',
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
      // At least a minute: a reminder due at the start is always refused by the send-time check
      // (appointment_started), so 0 meant "never remind" while the form said "at the start".
      reminderOffsetMinutes: z
        .number()
        .int()
        .min(1, 'must be at least 1 minute before the appointment')
        .max(20_160, 'must be at most 14 days (20160 minutes)'),
      followUpDelayMinutes: z
        .number()
        .int()
        .min(0)
        .max(FOLLOW_UP_DELAY_MAX_MINUTES, 'must be at most 30 days (43200 minutes)'),
      lateReminder: z.enum(['skip', 'send_now']),
      rescheduleNotice: z.boolean(),
      ctaEnabled: z.boolean(),
      // null: back to the default of the advisor's language, which then follows their locale
      // again. Once written, a message could only be replaced, never given back to the default.
      ctaMessage: z
        .string()
        .trim()
        .min(1)
        .max(1_000)
        .refine(ctaMessageFitsInQrCode, CTA_MESSAGE_TOO_LONG_FOR_QR)
        .nullable(),
      pacing: pacingPatchSchema(pacingBoundsOf(bounds)),
    })
    .partial()
    .strict();
}

type SettingsPatch = z.infer<ReturnType<typeof patchSchema>>;

function parsePatch(patch: unknown, bounds: SettingsBounds): SettingsPatch {
  const parsed = patchSchema(bounds).safeParse(patch ?? {});
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({
    field: ['settings', ...i.path].join('.'),
    message: i.code === 'unrecognized_keys' ? `unknown setting(s): ${i.keys.join(', ')}` : i.message,
  }));
  throw new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), {
    fields,
  });
}

/**
 * The shortest window `max` sends may have: the ceiling bounds the rate, `maxCeiling` sends per
 * the server's window (WHATSAPP_RATE_LIMIT_DURATION), not the figure alone. Checking `max` only
 * let an advisor pick a one-second window and send the ceiling every second.
 */
export function shortestRateWindowMs(max: number, bounds: SettingsBounds): number {
  return Math.ceil((max * bounds.rateLimit.durationMs) / bounds.rateLimit.maxCeiling);
}

function mergeParsed(
  current: AdvisorSettings,
  parsed: SettingsPatch,
  bounds: SettingsBounds,
): AdvisorSettings {
  const { pacing, rateLimit, ...rest } = parsed;
  const next = { ...current, ...rest } as AdvisorSettings;
  if (rest.ctaMessage === null) next.ctaMessage = current.ctaMessage;
  if (rateLimit) {
    next.rateLimit = { ...current.rateLimit, ...rateLimit };
    const shortest = shortestRateWindowMs(next.rateLimit.max, bounds);
    if (next.rateLimit.durationMs < shortest) {
      const { maxCeiling, durationMs } = bounds.rateLimit;
      const field = `settings.rateLimit.${rateLimit.durationMs !== undefined ? 'durationMs' : 'max'}`;
      const message =
        `${next.rateLimit.max} messages need a window of at least ${shortest} ms ` +
        `(the server's bound: at most ${maxCeiling} messages per ${durationMs} ms)`;
      throw new AppError('validation_failed', `${field}: ${message}`, { fields: [{ field, message }] });
    }
  }
  // A partial pacing change keeps the other pacing fields.
  if (pacing) next.pacing = mergePacing(current.pacing, pacing);
  return next;
}

const objectOf = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Validates a partial settings change against the settings in effect and returns what to store:
 * only what the advisor has set, this change included. What they never set is not stored, so the
 * server's defaults keep applying to it when the operator changes them.
 */
export function storedSettingsAfter(
  stored: Record<string, unknown>,
  patch: unknown,
  bounds: SettingsBounds,
): Record<string, unknown> {
  const parsed = parsePatch(patch, bounds);
  // The rules spanning two fields (pacing gaps, warm-up cap) are checked on the effective values.
  mergeParsed(readSettings(stored, bounds), parsed, bounds);
  const { pacing, rateLimit, ...rest } = parsed;
  const next: Record<string, unknown> = { ...stored, ...rest };
  if (rest.ctaMessage === null) delete next.ctaMessage;
  if (rateLimit) next.rateLimit = { ...objectOf(stored.rateLimit), ...rateLimit };
  if (pacing) next.pacing = { ...objectOf(stored.pacing), ...pacing };
  return next;
}

const oneOf = <T extends string>(v: unknown, allowed: readonly T[], fallback: T): T =>
  allowed.includes(v as T) ? (v as T) : fallback;
const booleanOr = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);

function readQuietHours(v: unknown, fallback: AdvisorSettings['quietHours']): AdvisorSettings['quietHours'] {
  if (v === null) return null;
  const { start, end } = objectOf(v);
  return hhmm.safeParse(start).success && hhmm.safeParse(end).success
    ? { start: start as string, end: end as string }
    : fallback;
}

/**
 * Stored settings over the defaults, so what the advisor never set follows the server, and each
 * value clamped to today's bounds: an operator who lowers a ceiling (WHATSAPP_RATE_LIMIT_MAX_CEILING,
 * the pacing ceilings) lowers every advisor at once, including those who saved more earlier.
 */
export function readSettings(stored: Record<string, unknown>, bounds: SettingsBounds): AdvisorSettings {
  const d = defaultSettings(bounds);
  const s = stored as { [K in keyof AdvisorSettings]?: unknown };
  const rateLimit = objectOf(s.rateLimit);
  const max = clamp(
    rateLimit.max,
    1,
    bounds.rateLimit.maxCeiling,
    Math.min(d.rateLimit.max, bounds.rateLimit.maxCeiling),
  );
  // Extensions saved before they were refused are dropped, keeping the language and region.
  const locale = supportedLocale(localeWithoutExtensions(String(s.locale ?? d.locale))) ?? d.locale;
  return {
    defaultCountry:
      typeof s.defaultCountry === 'string' && isSupportedCountry(s.defaultCountry)
        ? s.defaultCountry
        : d.defaultCountry,
    // Rows written before these values were checked this strictly may hold a zone or locale the
    // date formatting cannot use; the default serves them rather than failing every booking.
    timezone: canonicalTimeZone(String(s.timezone ?? d.timezone)) ?? d.timezone,
    locale,
    rateLimit: {
      max,
      // A window too short for `max` (saved under a looser ceiling, or before the rate was
      // bounded) is stretched to the shortest one allowed: the burst stays, the rate is bounded.
      durationMs: Math.max(
        clamp(rateLimit.durationMs, 1_000, 86_400_000, d.rateLimit.durationMs),
        shortestRateWindowMs(max, bounds),
      ),
    },
    quietHours: readQuietHours(s.quietHours, d.quietHours),
    reminderOffsetMinutes: clamp(s.reminderOffsetMinutes, 1, 20_160, d.reminderOffsetMinutes),
    followUpDelayMinutes: clamp(
      s.followUpDelayMinutes,
      0,
      FOLLOW_UP_DELAY_MAX_MINUTES,
      d.followUpDelayMinutes,
    ),
    lateReminder: oneOf(s.lateReminder, ['skip', 'send_now'], d.lateReminder),
    rescheduleNotice: booleanOr(s.rescheduleNotice, d.rescheduleNotice),
    ctaEnabled: booleanOr(s.ctaEnabled, d.ctaEnabled),
    // Unset, it follows the advisor's language: a pt-BR advisor's clients got the Spanish one.
    ctaMessage:
      typeof s.ctaMessage === 'string' && s.ctaMessage.trim() !== ''
        ? s.ctaMessage
        : defaultCtaMessage(locale),
    pacing: readPacing(s.pacing, pacingBoundsOf(bounds)),
  };
}
