// Response schemas for the connection routes: what API.md promises, and nothing more (no tokens).
import { z } from 'zod';

const qr = z.object({ image: z.string(), pairingCode: z.string().nullable(), expiresAt: z.date() });

export const settingsSchema = z.object({
  defaultCountry: z.string(),
  timezone: z.string(),
  locale: z.string(),
  rateLimit: z.object({ max: z.number(), durationMs: z.number() }),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  reminderOffsetMinutes: z.number(),
  followUpDelayMinutes: z.number(),
  lateReminder: z.enum(['skip', 'send_now']),
  rescheduleNotice: z.boolean(),
  ctaEnabled: z.boolean(),
  ctaMessage: z.string(),
  pacing: z.object({
    mode: z.enum(['auto', 'on', 'off']),
    minGapMs: z.number(),
    maxGapMs: z.number(),
    hourlyCap: z.number(),
    dailyCap: z.number(),
    warmupDays: z.number(),
    warmupStartCap: z.number(),
    pauseAfterFailures: z.number(),
    failureWindowMinutes: z.number(),
  }),
});

export const featuresSchema = z.object({
  sending: z.boolean(),
  reminders: z.boolean(),
  inbox: z.boolean(),
  publicCta: z.boolean(),
});

/**
 * An admin's per-advisor change: a boolean overrides the server default (FEATURE_*), `null`
 * removes the override so the advisor follows the default again; a key left out is untouched.
 */
export const featureOverridesSchema = z
  .object({
    sending: z.boolean().nullable(),
    reminders: z.boolean().nullable(),
    inbox: z.boolean().nullable(),
    publicCta: z.boolean().nullable(),
  })
  .partial()
  .strict();

export const configViewSchema = z.object({
  status: z.enum(['not_configured', 'qr_pending', 'connecting', 'connected', 'disconnected']),
  instanceName: z.string().nullable(),
  publicSlug: z.string(),
  phoneNumber: z.string().nullable(),
  profileName: z.string().nullable(),
  connectedAt: z.date().nullable(),
  lastStatusAt: z.date().nullable(),
  alert: z.string().nullable(),
  sandbox: z.boolean(),
  qr: qr.nullable(),
  settings: settingsSchema,
  features: featuresSchema,
  publicButton: z.object({
    visible: z.boolean(),
    hiddenReason: z.enum(['no_number', 'feature_disabled', 'cta_disabled']).nullable(),
  }),
  limits: z.object({ mediaMaxBytes: z.number().int() }),
});

export const connectResponseSchema = z.union([
  z.object({ status: z.literal('connected') }),
  z.object({ status: z.literal('qr_pending'), qr: qr.nullable() }),
]);
