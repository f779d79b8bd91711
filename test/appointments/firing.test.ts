// Time travel with short offsets: appointments a minute ahead with a one-minute reminder offset
// (the reminder is due in a few seconds), so the real worker fires real delayed jobs against the
// emulator. Covers firing on time, the follow-up, late reminders per setting, opt-out and the
// feature switch after scheduling, and Redis losing every job (the sweeper rebuilds them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOutbox } from '../../src/workers/sweeper.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  booking,
  bookingAdvisor,
  inSeconds,
  jobExists,
  onlyOne,
  setFeature,
  setSettings,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { RECONNECT_POLL_MS: '200' } });
  ana = await bookingAdvisor(service, 'Ana', { reminderOffsetMinutes: 1, followUpDelayMinutes: 0 });
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
/** Starts 60 s + `dueIn` from now: with a one-minute offset the reminder is due in `dueIn` seconds. */
const reminderDueIn = (dueIn: number) => booking({ startsAt: inSeconds(60 + dueIn).toISOString() });

describe('reminders fire at their time', () => {
  it('holds the reminder until it is due, then sends it', async () => {
    const body = reminderDueIn(3);
    const res = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(res.body.messages, 'reminder');
    const due = new Date(reminder.scheduledAt).getTime();
    expect(due).toBe(new Date(body.startsAt).getTime() - 60_000);

    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now() - 1_000)));
    expect((await textsTo(ana, body.clientPhone)).filter((t) => t.includes('recuerdo'))).toHaveLength(0);

    const sent = await waitForStatus(ana, reminder.id, SENT);
    const sentAt = new Date(sent.sentAt).getTime();
    expect(sentAt).toBeGreaterThanOrEqual(due);
    expect(sentAt - due).toBeLessThan(2_000);
    const texts = await textsTo(ana, body.clientPhone);
    expect(texts.filter((t) => t.includes('recuerdo'))).toHaveLength(1);
    expect(texts.at(-1)).toContain('En línea'); // no address: the online stand-in
  });

  it('sends the follow-up after the session', async () => {
    const startsAt = inSeconds(3);
    const res = await ana.api.post('/api/appointments', booking({ startsAt: startsAt.toISOString() }));
    const followUp = onlyOne(res.body.messages, 'follow_up');
    expect(followUp.scheduledAt).toBe(startsAt.toISOString());
    const sent = await waitForStatus(ana, followUp.id, SENT);
    expect(new Date(sent.sentAt).getTime()).toBeGreaterThanOrEqual(startsAt.getTime());
    expect(sent.text).toContain('¿Cómo te has sentido desde la sesión?');
  });

  it('skips a late reminder or sends it at once, per the lateReminder setting', async () => {
    // Starting in 30 s with a one-minute offset: the reminder time is already past.
    await setSettings(ana, { lateReminder: 'skip' });
    const skipped = await ana.api.post(
      '/api/appointments',
      booking({ startsAt: inSeconds(30).toISOString() }),
    );
    expect(onlyOne(skipped.body.messages, 'reminder')).toMatchObject({
      status: 'skipped',
      error: { code: 'reminder_time_passed' },
    });

    await setSettings(ana, { lateReminder: 'send_now' });
    const body = booking({ startsAt: inSeconds(30).toISOString() });
    const now = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(now.body.messages, 'reminder');
    expect(reminder.status).toBe('queued');
    await waitForStatus(ana, reminder.id, SENT);
    expect((await textsTo(ana, body.clientPhone)).filter((t) => t.includes('recuerdo'))).toHaveLength(1);
  });
});

describe('send-time checks', () => {
  it('skips the reminder when the client opted out after it was scheduled', async () => {
    const body = reminderDueIn(3);
    const res = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(res.body.messages, 'reminder');
    const out = await ana.client.put(`/api/whatsapp/clients/${encodeURIComponent(body.clientPhone)}`, {
      optedOut: true,
    });
    expect(out.status).toBe(200);
    const done = await waitForStatus(ana, reminder.id, ['skipped', 'sent', 'delivered', 'read']);
    expect(done).toMatchObject({ status: 'skipped', error: { code: 'recipient_opted_out' } });
    expect((await textsTo(ana, body.clientPhone)).filter((t) => t.includes('recuerdo'))).toHaveLength(0);
  });

  it('skips the reminder when the reminders feature was switched off after scheduling', async () => {
    const res = await ana.api.post('/api/appointments', reminderDueIn(3));
    const reminder = onlyOne(res.body.messages, 'reminder');
    await setFeature(service, ana.userId, 'reminders', false);
    try {
      const done = await waitForStatus(ana, reminder.id, ['skipped', 'sent', 'delivered', 'read']);
      expect(done).toMatchObject({ status: 'skipped', error: { code: 'feature_disabled' } });
    } finally {
      await setFeature(service, ana.userId, 'reminders', true);
    }
  });

  it('books for an opted-out client without sending: every message is recorded as skipped', async () => {
    const body = booking();
    await ana.client.put(`/api/whatsapp/clients/${encodeURIComponent(body.clientPhone)}`, { optedOut: true });
    const res = await ana.api.post('/api/appointments', body);
    expect(res.status).toBe(201);
    expect(res.body.messages.map((m: any) => [m.purpose, m.status, m.error?.code]).sort()).toEqual([
      ['confirmation', 'skipped', 'recipient_opted_out'],
      ['follow_up', 'skipped', 'recipient_opted_out'],
      ['reminder', 'skipped', 'recipient_opted_out'],
    ]);
  });
});

describe('Redis loses the scheduled jobs', () => {
  it('the sweeper rebuilds them from the rows and the reminder still fires on time', async () => {
    const body = reminderDueIn(5);
    const res = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(res.body.messages, 'reminder');
    const followUp = onlyOne(res.body.messages, 'follow_up');
    expect(await jobExists(service, reminder.id)).toBe(true);

    // Drop every send-queue key of this test's prefix: jobs, the delayed set, everything.
    const redis = service.runtime.redis;
    const prefix = service.config.redis.prefix;
    const keys = await redis.keys(`${prefix}:send:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    expect(await jobExists(service, reminder.id)).toBe(false);

    // The sweeper leaves rows touched in the last seconds alone; look from a little later.
    const restored = await sweepOutbox(service.runtime.ctx, service.runtime.messages, inSeconds(15));
    expect(restored).toBeGreaterThanOrEqual(2);
    expect(await jobExists(service, reminder.id)).toBe(true);
    expect(await jobExists(service, followUp.id)).toBe(true);

    const sent = await waitForStatus(ana, reminder.id, SENT);
    const due = new Date(reminder.scheduledAt).getTime();
    expect(new Date(sent.sentAt).getTime()).toBeGreaterThanOrEqual(due);
    expect(new Date(sent.sentAt).getTime() - due).toBeLessThan(2_000);
    await waitFor(
      () => textsTo(ana, body.clientPhone),
      (texts) => texts.filter((t) => t.includes('recuerdo')).length === 1,
      { what: 'the reminder on the phone' },
    );
  });
});
