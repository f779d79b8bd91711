// Quiet hours at send time. The planner keeps reminders and follow-ups out of the window, but a
// job can be released late (worker down, sweeper restore, pacing) or the advisor can turn quiet
// hours on after booking: the send-time check applies them again, in the client's timezone.
// Inside the window an automated reminder or follow-up is held until the window ends (the row is
// rescheduled, the timeline says why); a reminder that could then only go out after the start is
// skipped. Confirmations and messages sent by hand ignore quiet hours.
//
// The first tests run the real worker against real delayed jobs with a window a minute or two
// long, set in the client's zone just after booking. The daylight-saving tests play the worker
// (deliverMessage with the send-time check) with a controllable clock on the dates Madrid's clocks
// change, 2027-03-28 and 2027-10-31.
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appointmentSendGuard } from '../../src/domain/appointments/appointment-send-guard.js';
import { deliverMessage } from '../../src/domain/messages/deliver-message.js';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  booking,
  bookingAdvisor,
  detail,
  inSeconds,
  jobDueAt,
  messageStatus,
  onlyOne,
  setSettings,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { RECONNECT_POLL_MS: '200' } });
  ana = await bookingAdvisor(service, 'Ana');
});
afterEach(async () => {
  await setSettings(ana, { quietHours: null, reminderOffsetMinutes: 1440 });
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
/** The client's zone, seven hours off the advisor's (Madrid): the window must be read in it. */
const CLIENT_ZONE = 'America/Mexico_City';
const reminders = async (phone: string) => (await textsTo(ana, phone)).filter((t) => t.includes('recuerdo'));

/**
 * Quiet hours, as wall-clock times in the client's zone, from the minute holding `instant` until
 * `minutes` later (one more when that would leave less than 10 s after `instant`).
 */
/** How long after booking the real-worker cases' reminders are due: time to save quiet hours first. */
const DUE_IN_S = 10;

function quietAround(instant: Date, minutes: number) {
  const start = DateTime.fromJSDate(instant, { zone: CLIENT_ZONE }).startOf('minute');
  let end = start.plus({ minutes });
  if (end.toMillis() - instant.getTime() < 10_000) end = end.plus({ minutes: 1 });
  return { quietHours: { start: start.toFormat('HH:mm'), end: end.toFormat('HH:mm') }, end: end.toJSDate() };
}

describe('quiet hours at send time, with the real worker', () => {
  it('holds a reminder released inside the window until it ends, then sends it once', async () => {
    await setSettings(ana, { reminderOffsetMinutes: 3 });
    // Booked with quiet hours off: the reminder is due in 10 s, the appointment 3 minutes later.
    // The quiet hours must be saved before it is due: with 3 s, a CI run on a loaded machine sent
    // it first (booking and settings took longer than that).
    const body = booking({ startsAt: inSeconds(180 + DUE_IN_S).toISOString(), timezone: CLIENT_ZONE });
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    const due = new Date(reminder.scheduledAt);
    const quiet = quietAround(due, 1);
    await setSettings(ana, { quietHours: quiet.quietHours });

    const held = await waitFor(
      () => messageStatus(ana, reminder.id),
      (m) => m.scheduledAt === quiet.end.toISOString(),
      { timeoutMs: DUE_IN_S * 1000 + 15_000, what: 'the reminder moved to the end of quiet hours' },
    );
    expect(held.status).toBe('scheduled');
    expect(held.error).toBeNull();
    // Its job waits, delayed. The worker moves it there right after writing the row, so the row
    // can be read first (CI saw it once on PostgreSQL): wait for the job too.
    expect(
      await waitFor(
        () => jobDueAt(service, reminder.id),
        (at) => at !== null,
        { timeoutMs: 5_000, what: 'the held reminder’s job delayed' },
      ),
    ).not.toBeNull();
    expect(await reminders(body.clientPhone)).toHaveLength(0);

    // A confirmation answers the booking that just happened: quiet hours do not hold it.
    const other = booking({ timezone: CLIENT_ZONE });
    const confirmation = onlyOne(
      (await ana.api.post('/api/appointments', other)).body.messages,
      'confirmation',
    );
    expect(Date.now()).toBeLessThan(quiet.end.getTime());
    await waitForStatus(ana, confirmation.id, SENT);
    expect(await textsTo(ana, other.clientPhone)).toHaveLength(1);

    const sent = await waitForStatus(ana, reminder.id, SENT, quiet.end.getTime() - Date.now() + 15_000);
    expect(new Date(sent.sentAt).getTime()).toBeGreaterThanOrEqual(quiet.end.getTime());
    expect(await reminders(body.clientPhone)).toHaveLength(1);

    const { timeline } = await detail(ana, body.externalId);
    const story = timeline.filter((e: any) => e.messageId === reminder.id);
    expect(story.slice(0, 3)).toEqual([
      expect.objectContaining({ type: 'planned', scheduledAt: due.toISOString() }),
      expect.objectContaining({
        type: 'deferred',
        purpose: 'reminder',
        scheduledAt: quiet.end.toISOString(),
        reason: { code: 'quiet_hours', message: expect.stringContaining(CLIENT_ZONE) },
        detail: { actor: 'system', from: due.toISOString() },
      }),
      expect.objectContaining({ type: 'sent' }),
    ]);
    // The window is real wall-clock time: up to 70 s of waiting for it to end.
  }, 150_000);

  it('skips a reminder that, held by quiet hours, could only go out after the appointment starts', async () => {
    await setSettings(ana, { reminderOffsetMinutes: 1 });
    const body = booking({ startsAt: inSeconds(60 + DUE_IN_S).toISOString(), timezone: CLIENT_ZONE });
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    // The window ends two to three minutes after the reminder's time, after the start.
    const quiet = quietAround(new Date(reminder.scheduledAt), 3);
    expect(quiet.end.getTime()).toBeGreaterThan(Date.parse(body.startsAt));
    await setSettings(ana, { quietHours: quiet.quietHours });

    const done = await waitForStatus(ana, reminder.id, ['skipped', ...SENT], DUE_IN_S * 1000 + 15_000);
    expect(done).toMatchObject({ status: 'skipped', error: { code: 'quiet_hours' } });
    expect(done.error.message).toContain('before the appointment starts');
    expect(await reminders(body.clientPhone)).toHaveLength(0);
  });
});

describe('quiet hours at send time across a daylight-saving change (controllable clock)', () => {
  // Madrid, quiet 21:00–08:00. Released at 23:30 local the evening before the change, a reminder
  // is held until 08:00 local the next morning: after spring forward that is 06:00Z, not the
  // 07:00Z a fixed offset would give; after falling back it is 07:00Z, not 06:00Z.
  it.each([
    ['spring forward', '2027-03-28T09:00', '2027-03-27T22:30:00Z', '2027-03-28T06:00:00.000Z'],
    ['fall back', '2027-10-31T10:00', '2027-10-30T21:30:00Z', '2027-10-31T07:00:00.000Z'],
  ])('%s: held until 08:00 local on the day of the change', async (_name, startsLocal, lateAt, expected) => {
    const startsAt = DateTime.fromISO(startsLocal, { zone: 'Europe/Madrid' }).toJSDate();
    const body = booking({ startsAt: startsAt.toISOString(), timezone: 'Europe/Madrid' });
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    await setSettings(ana, { quietHours: { start: '21:00', end: '08:00' } });

    const at = (iso: string) => ({ ...service.runtime.ctx, now: () => new Date(iso) });
    const late = at(lateAt);
    const outcome = await deliverMessage(late, ana.userId, reminder.id, {
      mustSkip: appointmentSendGuard(late),
    });
    expect(outcome).toEqual({ kind: 'deferred', until: new Date(expected), reason: 'quiet_hours' });
    const row = (await findMessage(service.database.db, ana.userId, reminder.id))!;
    expect(row).toMatchObject({ status: 'scheduled', scheduledAt: new Date(expected) });

    // Woken again before the end (a job promoted early): the same instant, nothing recorded twice.
    // The row is scheduled for that instant, so it waits for it before any send-time rule is asked
    // (test/messages/scheduled-woken-early.test.ts).
    const again = at(new Date(Date.parse(expected) - 60_000).toISOString());
    expect(
      await deliverMessage(again, ana.userId, reminder.id, { mustSkip: appointmentSendGuard(again) }),
    ).toEqual({ kind: 'deferred', until: new Date(expected), reason: 'not_due' });
    // At the end of the window it may go.
    const end = at(expected);
    expect(await appointmentSendGuard(end)(row)).toBeNull();

    const { timeline } = await detail(ana, body.externalId);
    const deferred = timeline.filter((e: any) => e.type === 'deferred');
    expect(deferred).toEqual([
      expect.objectContaining({ messageId: reminder.id, scheduledAt: expected, detail: expect.anything() }),
    ]);
    expect(deferred[0].detail.from).toBe(reminder.scheduledAt);
    expect(timeline.find((e: any) => e.type === 'planned' && e.messageId === reminder.id).scheduledAt).toBe(
      reminder.scheduledAt,
    );
  });

  it('skips the reminder when 08:00 on the day of the change is already after the start', async () => {
    // 07:30 CEST on 2027-03-28 is 05:30Z; the window ends at 06:00Z.
    const startsAt = DateTime.fromISO('2027-03-28T07:30', { zone: 'Europe/Madrid' }).toJSDate();
    const body = booking({ startsAt: startsAt.toISOString(), timezone: 'Europe/Madrid' });
    const reminder = onlyOne((await ana.api.post('/api/appointments', body)).body.messages, 'reminder');
    await setSettings(ana, { quietHours: { start: '21:00', end: '08:00' } });
    const late = { ...service.runtime.ctx, now: () => new Date('2027-03-27T22:30:00Z') };
    const outcome = await deliverMessage(late, ana.userId, reminder.id, {
      mustSkip: appointmentSendGuard(late),
    });
    expect(outcome).toEqual({ kind: 'skipped', reason: 'quiet_hours' });
    expect((await findMessage(service.database.db, ana.userId, reminder.id))!).toMatchObject({
      status: 'skipped',
      errorCode: 'quiet_hours',
    });
  });

  it('never holds a confirmation or a message sent by hand', async () => {
    const startsAt = DateTime.fromISO('2027-03-28T09:00', { zone: 'Europe/Madrid' }).toJSDate();
    const body = booking({ startsAt: startsAt.toISOString(), timezone: 'Europe/Madrid' });
    const booked = await ana.api.post('/api/appointments', body);
    const byHand = await ana.client.post(`/api/appointments/${encodeURIComponent(body.externalId)}/send`, {
      kind: 'reminder',
    });
    expect(byHand.status).toBe(202);
    await setSettings(ana, { quietHours: { start: '21:00', end: '08:00' } });
    const late = { ...service.runtime.ctx, now: () => new Date('2027-03-27T22:30:00Z') };
    const guard = appointmentSendGuard(late);
    for (const id of [onlyOne(booked.body.messages, 'confirmation').id, byHand.body.message.id]) {
      expect(await guard((await findMessage(service.database.db, ana.userId, id))!)).toBeNull();
    }
  });
});
