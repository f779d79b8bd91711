// A reminder held by quiet hours at send time waits, as a row `scheduled` for the window's end and
// a delayed job, until that end. It used to go on waiting there (possibly the next morning) after
// the advisor turned quiet hours off or shortened them: nothing woke it, and a change of the
// rate limit or pacing wakes only messages already due. A change of quiet hours now has such
// messages look again under the new setting: off, they go out now; still quiet, they are held
// until the new window's end. A message scheduled for a time of its own (the caller's
// `scheduledAt`, an appointment's plan) is not moved by it.
//
// Real worker, real delayed jobs, windows a couple of minutes long in the client's zone (as
// quiet-hours.test.ts does).
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  booking,
  bookingAdvisor,
  detail,
  inSeconds,
  messageStatus,
  onlyOne,
  setSettings,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ env: { RECONNECT_POLL_MS: '200' } });
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const CLIENT_ZONE = 'America/Mexico_City';
/** How long after booking the reminder is due: time to save quiet hours first. */
const DUE_IN_S = 10;

/** Wall-clock quiet hours in the client's zone, from the minute holding `instant` for `minutes`. */
function quietAround(instant: Date, minutes: number) {
  const start = DateTime.fromJSDate(instant, { zone: CLIENT_ZONE }).startOf('minute');
  const end = start.plus({ minutes });
  return { quietHours: { start: start.toFormat('HH:mm'), end: end.toFormat('HH:mm') }, end: end.toJSDate() };
}

/**
 * When the message's delayed job is due (ms), or null when it is not delayed. Read from the delayed
 * set: a job moved there by the worker keeps its first delay in its options (jobDueAt).
 */
async function delayedUntil(messageId: string): Promise<number | null> {
  const key = `${service.config.redis.prefix}:send:delayed`;
  const score = await service.runtime.redis.zscore(key, `send-${messageId}`);
  return score === null ? null : Math.floor(Number(score) / 0x1000);
}

/** A reminder due in DUE_IN_S, held by quiet hours of `minutes` around that time. */
async function heldReminder(advisor: BookingAdvisor, minutes: number) {
  // The appointment starts after the window ends: the reminder is held, not skipped.
  await setSettings(advisor, { quietHours: null, reminderOffsetMinutes: minutes + 2 });
  const body = booking({
    startsAt: inSeconds((minutes + 2) * 60 + DUE_IN_S).toISOString(),
    timezone: CLIENT_ZONE,
  });
  const booked = await advisor.api.post('/api/appointments', body);
  expect(booked.status).toBe(201);
  const reminder = onlyOne(booked.body.messages, 'reminder');
  const due = new Date(reminder.scheduledAt);
  const quiet = quietAround(due, minutes);
  await setSettings(advisor, { quietHours: quiet.quietHours });
  await waitFor(
    () => messageStatus(advisor, reminder.id),
    (m) => m.scheduledAt === quiet.end.toISOString(),
    { timeoutMs: DUE_IN_S * 1000 + 15_000, what: 'the reminder held until the end of quiet hours' },
  );
  await waitFor(
    () => delayedUntil(reminder.id),
    (at) => at === quiet.end.getTime(),
    { timeoutMs: 5_000, what: 'the held reminder’s job delayed to the end of quiet hours' },
  );
  return { body, reminder, due, quiet };
}

describe('a reminder held by quiet hours, when the advisor changes them', () => {
  it('goes out at once when quiet hours are turned off, and only once', async () => {
    const ana = await bookingAdvisor(service, 'Ana Silencio');
    const { body, reminder, due, quiet } = await heldReminder(ana, 3);
    const reminders = async () =>
      (await textsTo(ana, body.clientPhone)).filter((t) => t.includes('recuerdo'));
    expect(await reminders()).toHaveLength(0);

    await setSettings(ana, { quietHours: null });
    const sent = await waitForStatus(ana, reminder.id, SENT, 15_000);
    // Well before the old end: it did not wait for the window it no longer has.
    expect(new Date(sent.sentAt).getTime()).toBeLessThan(quiet.end.getTime() - 30_000);
    expect(await reminders()).toHaveLength(1);

    // The timeline keeps what happened: planned for its time, held, then sent.
    const { timeline } = await detail(ana, body.externalId);
    const story = timeline.filter((e: any) => e.messageId === reminder.id).map((e: any) => e.type);
    expect(story.slice(0, 3)).toEqual(['planned', 'deferred', 'sent']);
    expect(timeline.find((e: any) => e.type === 'planned' && e.messageId === reminder.id).scheduledAt).toBe(
      due.toISOString(),
    );
  }, 60_000);

  it('is held until the new end when the shorter quiet hours still cover now', async () => {
    const bea = await bookingAdvisor(service, 'Bea Silencio');
    const { body, reminder, quiet } = await heldReminder(bea, 4);
    // The window now ends two minutes earlier: still ahead, but not the old end.
    const end = DateTime.fromJSDate(quiet.end, { zone: CLIENT_ZONE }).minus({ minutes: 2 });
    expect(end.toMillis() - Date.now()).toBeGreaterThan(20_000);
    await setSettings(bea, { quietHours: { start: quiet.quietHours.start, end: end.toFormat('HH:mm') } });

    const held = await waitFor(
      () => messageStatus(bea, reminder.id),
      (m) => m.scheduledAt === end.toUTC().toISO(),
      { timeoutMs: 10_000, what: 'the reminder held until the new end' },
    );
    expect(held).toMatchObject({ status: 'scheduled', sentAt: null, error: null });
    await waitFor(
      () => delayedUntil(reminder.id),
      (at) => at === end.toMillis(),
      { timeoutMs: 5_000, what: 'the job delayed to the new end' },
    );
    expect((await textsTo(bea, body.clientPhone)).filter((t) => t.includes('recuerdo'))).toHaveLength(0);
    // The same setting saved again moves nothing and records no second hold.
    await setSettings(bea, { quietHours: { start: quiet.quietHours.start, end: end.toFormat('HH:mm') } });
    await new Promise((r) => setTimeout(r, 1_000));
    const { timeline } = await detail(bea, body.externalId);
    const holds = timeline.filter((e: any) => e.type === 'deferred' && e.messageId === reminder.id);
    expect(holds.map((e: any) => e.scheduledAt)).toEqual([quiet.end.toISOString(), end.toUTC().toISO()]);
  }, 60_000);

  it('moves no message scheduled for a time of its own', async () => {
    const eva = await bookingAdvisor(service, 'Eva Silencio');
    await setSettings(eva, { quietHours: { start: '21:00', end: '08:00' }, reminderOffsetMinutes: 1440 });
    const later = inSeconds(2 * 3_600);
    const own = await eva.client.post('/api/whatsapp/send', {
      to: '+34612000931',
      text: 'Para luego',
      scheduledAt: later.toISOString(),
    });
    expect(own.status).toBe(202);
    const body = booking({ timezone: CLIENT_ZONE });
    const reminder = onlyOne((await eva.api.post('/api/appointments', body)).body.messages, 'reminder');

    await setSettings(eva, { quietHours: null });
    await new Promise((r) => setTimeout(r, 1_000));
    for (const [id, at] of [
      [own.body.message.id, later.toISOString()],
      [reminder.id, reminder.scheduledAt],
    ]) {
      expect(await messageStatus(eva, id)).toMatchObject({ status: 'scheduled', scheduledAt: at });
      expect(await delayedUntil(id)).toBe(new Date(at).getTime());
    }
  });
});
