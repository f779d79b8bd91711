import { describe, expect, it } from 'vitest';
import type { WhatsappSettings } from '../../lib/api-types';
import { settingsChanged, settingsPatch } from './settings-changes';

const saved: WhatsappSettings = {
  defaultCountry: 'ES',
  timezone: 'Europe/Madrid',
  locale: 'es-ES',
  rateLimit: { max: 20, durationMs: 60_000 },
  quietHours: { start: '21:00', end: '08:00' },
  reminderOffsetMinutes: 1440,
  followUpDelayMinutes: 120,
  ctaMessage: 'Hola',
};

describe('settingsChanged', () => {
  it('is false for the same settings, whatever the order of their keys', () => {
    const reordered = Object.fromEntries(Object.entries(saved).reverse()) as unknown as WhatsappSettings;
    expect(settingsChanged(saved, { ...saved })).toBe(false);
    expect(settingsChanged(saved, { ...reordered, rateLimit: { durationMs: 60_000, max: 20 } })).toBe(false);
  });

  it('is true for any edited field, nested ones included', () => {
    expect(settingsChanged(saved, { ...saved, ctaMessage: 'Hola!' })).toBe(true);
    expect(settingsChanged(saved, { ...saved, rateLimit: { max: 21, durationMs: 60_000 } })).toBe(true);
    expect(settingsChanged(saved, { ...saved, quietHours: { start: '22:00', end: '08:00' } })).toBe(true);
    expect(settingsChanged(saved, { ...saved, quietHours: null })).toBe(true);
  });

  it('reads a missing switch as the default the form shows', () => {
    expect(settingsChanged(saved, { ...saved, ctaEnabled: true, rescheduleNotice: true })).toBe(false);
    expect(settingsChanged(saved, { ...saved, lateReminder: 'send_now' })).toBe(false);
    expect(settingsChanged(saved, { ...saved, ctaEnabled: false })).toBe(true);
    expect(settingsChanged(saved, { ...saved, lateReminder: 'skip' })).toBe(true);
  });
});

describe('settingsPatch', () => {
  it('names only what changed, down to single rate-limit and pacing fields', () => {
    // Pacing is not on the form, but the settings the server sends (and the form keeps) hold it.
    const withPacing = {
      ...saved,
      pacing: { minGapMs: 4_000, maxGapMs: 9_000, hourlyCap: 60 },
    } as WhatsappSettings & { pacing: Record<string, number> };
    expect(settingsPatch(withPacing, { ...withPacing })).toEqual({});
    expect(
      settingsPatch(withPacing, {
        ...withPacing,
        timezone: 'America/Mexico_City',
        rateLimit: { max: 30, durationMs: 60_000 },
        pacing: { ...withPacing.pacing, hourlyCap: 40 },
        quietHours: null,
      } as WhatsappSettings),
    ).toEqual({
      timezone: 'America/Mexico_City',
      rateLimit: { max: 30 },
      pacing: { hourlyCap: 40 },
      quietHours: null,
    });
  });
});
