// Settings changes through PUT /api/whatsapp/config: partial changes sent at the same moment
// each keep what the others changed; only what the advisor set is stored, and what is stored
// reads back within the server's current bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureConfig,
  findConfig,
  updateConfig,
} from '../../src/db/repositories/whatsapp-config.repository.js';
import { readSettings } from '../../src/domain/instances/advisor-settings.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  // Below the default ceiling (200): rows saved under a looser server must read within it.
  service = await startTestService({ env: { WHATSAPP_RATE_LIMIT_MAX_CEILING: '100' } });
});
afterAll(async () => {
  await service?.close();
});

describe('concurrent partial settings changes', () => {
  it('all stick, whichever order they are written in', async () => {
    const { client } = await signUpAdvisor(service.url, 'Concurrent Settings');
    // Each round changes every field to a value of its own; a lost change shows as a stale value.
    for (let round = 1; round <= 4; round++) {
      const changes = [
        { reminderOffsetMinutes: 60 + round },
        { followUpDelayMinutes: 30 + round },
        { ctaMessage: `Quiero una cita (${round})` },
        { pacing: { hourlyCap: 10 + round } },
        { pacing: { dailyCap: 100 + round } },
        { rescheduleNotice: round % 2 === 0 },
        { lateReminder: round % 2 === 0 ? 'skip' : 'send_now' },
        { rateLimit: { max: 20 + round } },
        { rateLimit: { durationMs: 30_000 + round } },
        { pacing: { warmupDays: round } },
      ];
      const results = await Promise.all(
        changes.map((settings) => client.put('/api/whatsapp/config', { settings })),
      );
      expect(results.map((r) => r.status)).toEqual(changes.map(() => 200));
      const settings = (await client.get('/api/whatsapp/config')).body.settings;
      expect(settings, `round ${round}`).toMatchObject({
        reminderOffsetMinutes: 60 + round,
        followUpDelayMinutes: 30 + round,
        ctaMessage: `Quiero una cita (${round})`,
        rescheduleNotice: round % 2 === 0,
        lateReminder: round % 2 === 0 ? 'skip' : 'send_now',
        rateLimit: { max: 20 + round, durationMs: 30_000 + round },
        pacing: { hourlyCap: 10 + round, dailyCap: 100 + round, warmupDays: round },
      });
    }
  });
});

describe('what a settings change stores', () => {
  it('is only what the advisor set: defaults they never touched follow the server', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Sparse Settings');
    const put = await client.put('/api/whatsapp/config', {
      settings: { timezone: 'America/Bogota', locale: 'es-CO', defaultCountry: 'co' },
    });
    expect(put.status).toBe(200);
    // The answer is still the full effective settings.
    expect(put.body.settings).toMatchObject({
      timezone: 'America/Bogota',
      locale: 'es-CO',
      defaultCountry: 'CO',
      rateLimit: { max: 50, durationMs: 60_000 },
      pacing: { hourlyCap: 60, dailyCap: 300 },
    });
    const row = (await findConfig(service.database.db, userId))!;
    expect(row.settings).toEqual({ timezone: 'America/Bogota', locale: 'es-CO', defaultCountry: 'CO' });
    // A process started with lower defaults (WHATSAPP_RATE_LIMIT_MAX=30 PACING_HOURLY_CAP=40).
    const lower = {
      rateLimit: { ...service.runtime.ctx.bounds.rateLimit, max: 30 },
      pacing: {
        ...service.runtime.ctx.bounds.pacing!,
        defaults: { ...service.runtime.ctx.bounds.pacing!.defaults, hourlyCap: 40 },
      },
    };
    expect(readSettings(row.settings, lower)).toMatchObject({
      rateLimit: { max: 30 },
      pacing: { hourlyCap: 40 },
    });
  });

  it('gives the public button message back to the default of the language with null', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Own Message');
    const own = await client.put('/api/whatsapp/config', { settings: { ctaMessage: 'Quiero una cita' } });
    expect(own.body.settings.ctaMessage).toBe('Quiero una cita');
    // Once written it could only be replaced: null and blank were both 422.
    const reset = await client.put('/api/whatsapp/config', { settings: { ctaMessage: null } });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.settings.ctaMessage).toBe('Hola, me gustaría reservar una cita');
    expect((await findConfig(service.database.db, userId))!.settings).not.toHaveProperty('ctaMessage');
    // And it follows the advisor's language again.
    const english = await client.put('/api/whatsapp/config', { settings: { locale: 'en-GB' } });
    expect(english.body.settings.ctaMessage).toBe('Hi, I would like to book an appointment');
    // A blank message is still refused: it is not a message.
    expect((await client.put('/api/whatsapp/config', { settings: { ctaMessage: '  ' } })).status).toBe(422);
  });

  it('reads back clamped to a ceiling lowered since it was saved, the rate limit included', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Clamped Settings');
    // Saved while the ceiling was 200.
    await ensureConfig(service.database.db, userId);
    await updateConfig(service.database.db, userId, {
      settings: { rateLimit: { max: 200 } },
    });
    const settings = (await client.get('/api/whatsapp/config')).body.settings;
    expect(settings.rateLimit).toEqual({ max: 100, durationMs: 60_000 });
    // A change to another setting keeps the stored value (the ceiling may be raised again).
    expect((await client.put('/api/whatsapp/config', { settings: { ctaEnabled: false } })).status).toBe(200);
    expect((await findConfig(service.database.db, userId))!.settings).toMatchObject({
      rateLimit: { max: 200 },
    });
  });
});

// The ceiling bounds the rate, not the figure: WHATSAPP_RATE_LIMIT_MAX_CEILING messages per
// WHATSAPP_RATE_LIMIT_DURATION (here 100 a minute). With only `max` checked, a short window gave
// an advisor 100 a second (6,000 a minute), against OPERATIONS.md's "at most CEILING per minute".
describe('the rate limit an advisor may choose', () => {
  it('refuses a window short enough to pass the ceiling, naming the field', async () => {
    const { client } = await signUpAdvisor(service.url, 'Fast Window');
    const fast = await client.put('/api/whatsapp/config', {
      settings: { rateLimit: { max: 100, durationMs: 1_000 } },
    });
    expect(fast.status).toBe(422);
    expect(fast.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'settings.rateLimit.durationMs',
    ]);
    // Checked on the limit in effect: the window alone, and then a max over a short window.
    expect(
      (await client.put('/api/whatsapp/config', { settings: { rateLimit: { durationMs: 1_000 } } })).status,
    ).toBe(422);
    expect(
      (await client.put('/api/whatsapp/config', { settings: { rateLimit: { durationMs: 30_000 } } })).status,
    ).toBe(200);
    const more = await client.put('/api/whatsapp/config', { settings: { rateLimit: { max: 60 } } });
    expect(more.status).toBe(422);
    expect(more.body.error.details.fields[0].field).toBe('settings.rateLimit.max');
    // At the ceiling's rate exactly: allowed.
    const ok = await client.put('/api/whatsapp/config', { settings: { rateLimit: { max: 50 } } });
    expect(ok.status).toBe(200);
    expect(ok.body.settings.rateLimit).toEqual({ max: 50, durationMs: 30_000 });
  });

  it('reads a stored window past the ceiling back stretched to it', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Stored Fast Window');
    await ensureConfig(service.database.db, userId);
    await updateConfig(service.database.db, userId, {
      settings: { rateLimit: { max: 100, durationMs: 1_000 } },
    });
    const settings = (await client.get('/api/whatsapp/config')).body.settings;
    expect(settings.rateLimit).toEqual({ max: 100, durationMs: 60_000 });
  });
});
