// What a settings change stores (only what the advisor set) and how stored settings read back
// (over today's defaults, clamped to today's bounds).
import { describe, expect, it } from 'vitest';
import { readSettings, storedSettingsAfter, type SettingsBounds } from './advisor-settings.js';
import { FALLBACK_PACING_BOUNDS } from './pacing-settings.js';

const boundsWith = (rateLimit: Partial<SettingsBounds['rateLimit']>, hourlyCap = 60): SettingsBounds => ({
  rateLimit: { max: 50, durationMs: 60_000, maxCeiling: 200, ...rateLimit },
  pacing: { ...FALLBACK_PACING_BOUNDS, defaults: { ...FALLBACK_PACING_BOUNDS.defaults, hourlyCap } },
});
const bounds = boundsWith({});

describe('a settings change', () => {
  it('stores only the settings it names, so the server defaults keep applying to the rest', () => {
    const stored = storedSettingsAfter(
      {},
      { timezone: 'america/mexico_city', locale: 'ES-mx', defaultCountry: 'mx' },
      bounds,
    );
    expect(stored).toEqual({ timezone: 'America/Mexico_City', locale: 'es-MX', defaultCountry: 'MX' });
    // Another server, or this one restarted, with lower defaults.
    const settings = readSettings(stored, boundsWith({ max: 30 }, 40));
    expect(settings.rateLimit).toEqual({ max: 30, durationMs: 60_000 });
    expect(settings.pacing.hourlyCap).toBe(40);
    expect(settings.timezone).toBe('America/Mexico_City');
  });

  it('keeps what was set before and stores half of rateLimit or pacing alone', () => {
    let stored = storedSettingsAfter({}, { rateLimit: { max: 20 }, pacing: { hourlyCap: 30 } }, bounds);
    stored = storedSettingsAfter(stored, { pacing: { dailyCap: 200 }, quietHours: null }, bounds);
    expect(stored).toEqual({
      rateLimit: { max: 20 },
      pacing: { hourlyCap: 30, dailyCap: 200 },
      quietHours: null,
    });
    const settings = readSettings(stored, boundsWith({ durationMs: 30_000 }));
    expect(settings.rateLimit).toEqual({ max: 20, durationMs: 30_000 });
    expect(settings.quietHours).toBeNull();
  });

  it('checks the rules spanning two fields on the settings in effect', () => {
    const stored = storedSettingsAfter({}, { pacing: { minGapMs: 6_000 } }, bounds);
    expect(() => storedSettingsAfter(stored, { pacing: { maxGapMs: 5_000 } }, bounds)).toThrow(
      /settings\.pacing\.maxGapMs/,
    );
    expect(() => storedSettingsAfter({}, { rateLimit: { max: 201 } }, bounds)).toThrow(
      /settings\.rateLimit\.max/,
    );
    // 200 a second: under the ceiling's figure, far over its rate (200 a minute).
    expect(() => storedSettingsAfter({}, { rateLimit: { max: 200, durationMs: 1_000 } }, bounds)).toThrow(
      /settings\.rateLimit\.durationMs/,
    );
  });
});

describe('stored settings', () => {
  it('are clamped to the current bounds when read, the rate limit included', () => {
    const stored = {
      rateLimit: { max: 200, durationMs: 10 },
      reminderOffsetMinutes: 99_999,
      followUpDelayMinutes: -5,
      pacing: { hourlyCap: 500 },
    };
    const settings = readSettings(stored, boundsWith({ max: 50, maxCeiling: 100 }));
    // The ceiling bounds the rate (100 per the server's minute), so a one-second window is
    // stretched to the minute: 100 a second was the ceiling figure, not its rate.
    expect(settings.rateLimit).toEqual({ max: 100, durationMs: 60_000 });
    expect(readSettings({ rateLimit: { max: 30, durationMs: 1_000 } }, bounds).rateLimit).toEqual({
      max: 30,
      durationMs: 9_000,
    });
    expect(settings.reminderOffsetMinutes).toBe(20_160);
    expect(readSettings({ reminderOffsetMinutes: 0 }, boundsWith({})).reminderOffsetMinutes).toBe(1);
    expect(settings.followUpDelayMinutes).toBe(0);
    expect(settings.pacing.hourlyCap).toBe(200);
  });

  it('fall back to the defaults for values of the wrong kind', () => {
    const settings = readSettings(
      {
        rateLimit: 'fast',
        lateReminder: 'later',
        ctaEnabled: 'yes',
        quietHours: { start: '9' },
        ctaMessage: 3,
      },
      bounds,
    );
    expect(settings).toMatchObject({
      rateLimit: { max: 50, durationMs: 60_000 },
      lateReminder: 'send_now',
      ctaEnabled: true,
      quietHours: { start: '21:00', end: '08:00' },
      ctaMessage: 'Hola, me gustaría reservar una cita',
    });
  });
});
