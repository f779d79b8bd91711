// PATCH /api/appointments/:externalId: the old reminder never fires, the new one is planned, the
// client hears about the new time, repeats change nothing; and the races with a reminder that is
// being sent at that very moment.
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { appointmentSendGuard } from '../../src/domain/appointments/appointment-send-guard.js';
import { rescheduleAppointment } from '../../src/domain/appointments/reschedule-appointment.js';
import { deliverMessage } from '../../src/domain/messages/deliver-message.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  booking,
  bookingAdvisor,
  byPurpose,
  inSeconds,
  jobExists,
  onlyOne,
  setSettings,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService({ env: { RECONNECT_POLL_MS: '200' } });
  ana = await bookingAdvisor(service, 'Ana', { reminderOffsetMinutes: 1 });
  emulator = new HttpClient(service.emulatorUrl);
});
afterEach(async () => {
  await emulator.put('/_emulator/faults', { latencyMs: 0 });
  await setSettings(ana, { rescheduleNotice: true, lateReminder: 'send_now' });
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reminders = async (phone: string) => (await textsTo(ana, phone)).filter((t) => t.includes('recuerdo'));
const patch = (externalId: string, body: Record<string, unknown>) =>
  ana.api.patch(`/api/appointments/${encodeURIComponent(externalId)}`, body);

describe('rescheduling', () => {
  it('cancels the old reminder and follow-up, plans new ones and tells the client the new time', async () => {
    const body = booking({ startsAt: inSeconds(2 * 86_400).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    const oldReminder = onlyOne(booked.body.messages, 'reminder');
    const oldFollowUp = onlyOne(booked.body.messages, 'follow_up');
    await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, SENT);

    const newStart = new Date(Date.parse(body.startsAt) + 86_400_000);
    const res = await patch(body.externalId, { startsAt: newStart.toISOString() });
    expect(res.status).toBe(200);
    expect(res.body.appointment).toMatchObject({ version: 2, startsAt: newStart.toISOString() });

    const byId = new Map(res.body.messages.map((m: any) => [m.id, m]));
    expect(byId.get(oldReminder.id)).toMatchObject({ status: 'cancelled', error: { code: 'rescheduled' } });
    expect(byId.get(oldFollowUp.id)).toMatchObject({ status: 'cancelled', error: { code: 'rescheduled' } });
    expect(await jobExists(service, oldReminder.id)).toBe(false);

    const live = res.body.messages.filter((m: any) => m.status === 'scheduled');
    expect(live.map((m: any) => m.purpose).sort()).toEqual(['follow_up', 'reminder']);
    expect(onlyOne(live, 'reminder').scheduledAt).toBe(new Date(newStart.getTime() - 60_000).toISOString());
    // The confirmation is not sent again; a "rescheduled" notice carries the new time.
    expect(byPurpose(res.body.messages, 'confirmation')).toHaveLength(1);
    const notice = onlyOne(res.body.messages, 'rescheduled');
    await waitForStatus(ana, notice.id, SENT);
    expect((await textsTo(ana, body.clientPhone)).at(-1)).toContain('nueva fecha');
  });

  it('never fires the old reminder, even if its job were still in Redis', async () => {
    const body = booking({ startsAt: inSeconds(60 + 3).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    const oldReminder = onlyOne(booked.body.messages, 'reminder');
    const res = await patch(body.externalId, { startsAt: inSeconds(86_400).toISOString() });
    expect(res.status).toBe(200);
    // Put a job for the old reminder back, due now: the worker must still refuse it.
    await service.runtime.messages.enqueue({ id: oldReminder.id, advisorId: ana.userId, scheduledAt: null });
    await sleep(4_500);
    expect(await reminders(body.clientPhone)).toHaveLength(0);
    const old = await waitForStatus(ana, oldReminder.id, ['cancelled']);
    expect(old.error.code).toBe('rescheduled');
  });

  it('changes nothing more when the same PATCH is repeated', async () => {
    const body = booking();
    await ana.api.post('/api/appointments', body);
    const change = { startsAt: inSeconds(5 * 86_400).toISOString(), address: 'Calle Luna 3' };
    const first = await patch(body.externalId, change);
    const again = await patch(body.externalId, change);
    expect(again.status).toBe(200);
    expect(again.body.appointment.version).toBe(first.body.appointment.version);
    // The same rows (statuses move on as the worker sends): nothing cancelled or planned anew.
    expect(again.body.messages.map((m: any) => m.id)).toEqual(first.body.messages.map((m: any) => m.id));
    const cancelled = (r: any) =>
      r.body.messages.filter((m: any) => m.status === 'cancelled').map((m: any) => m.id);
    expect(cancelled(again)).toEqual(cancelled(first));
  });

  it('saves a notes-only change without touching any message', async () => {
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    const res = await patch(body.externalId, { notes: 'Traer analíticas' });
    expect(res.body.appointment).toMatchObject({ notes: 'Traer analíticas', version: 1 });
    const ids = (r: any) => r.body.messages.map((m: any) => m.id).sort();
    expect(ids(res)).toEqual(ids(booked));
    expect(res.body.messages.filter((m: any) => m.status === 'cancelled')).toHaveLength(0);
  });

  it('replaces a pending reminder when only the address changes, at the same time, without a notice', async () => {
    const body = booking({ address: 'Calle Sol 1' });
    const booked = await ana.api.post('/api/appointments', body);
    const oldReminder = onlyOne(booked.body.messages, 'reminder');
    const res = await patch(body.externalId, { address: 'Calle Luna 3' });
    const fresh = res.body.messages.filter((m: any) => m.purpose === 'reminder' && m.status === 'scheduled');
    expect(fresh).toHaveLength(1);
    expect(fresh[0].scheduledAt).toBe(oldReminder.scheduledAt);
    expect(fresh[0].text).toContain('Calle Luna 3');
    expect(byPurpose(res.body.messages, 'rescheduled')).toHaveLength(0);
  });

  it('sends no notice when the advisor turned it off, and applies the late-reminder rule to the new time', async () => {
    await setSettings(ana, { rescheduleNotice: false, lateReminder: 'skip' });
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, SENT);
    const res = await patch(body.externalId, { startsAt: inSeconds(30).toISOString() });
    expect(byPurpose(res.body.messages, 'rescheduled')).toHaveLength(0);
    const newReminder = res.body.messages.find(
      (m: any) => m.purpose === 'reminder' && m.status !== 'cancelled',
    );
    expect(newReminder).toMatchObject({ status: 'skipped', error: { code: 'reminder_time_passed' } });
  });

  it("forgets the client's answer to the old time when the time changes, and keeps it otherwise", async () => {
    // The client answers the reminder with "2" (cancel or change it); the advisor moves the
    // appointment. The agenda must not go on saying the client asks to change the new time, nor
    // that they confirmed it: they answered about the old one.
    const body = booking({ address: 'Calle Sol 1' });
    const booked = await ana.api.post('/api/appointments', body);
    await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, SENT);
    const sent = await ana.client.post(`/api/appointments/${encodeURIComponent(body.externalId)}/send`, {
      kind: 'reminder',
    });
    expect(sent.status).toBe(202);
    await waitForStatus(ana, sent.body.message.id, SENT);
    await emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from: body.clientPhone,
      text: '2',
    });
    await waitFor(
      async () => (await ana.api.get(`/api/appointments/${encodeURIComponent(body.externalId)}`)).body,
      (d) => d.appointment.clientResponse === 'cancel_requested',
      { what: "the client's answer" },
    );

    // A change that leaves the time alone leaves the answer alone.
    const moved = await patch(body.externalId, { address: 'Calle Luna 3' });
    expect(moved.body.appointment).toMatchObject({ clientResponse: 'cancel_requested' });

    const newStart = new Date(Date.parse(body.startsAt) + 86_400_000).toISOString();
    const res = await patch(body.externalId, { startsAt: newStart });
    expect(res.status).toBe(200);
    expect(res.body.appointment).toMatchObject({
      startsAt: newStart,
      clientResponse: null,
      clientResponseAt: null,
    });
    const view = (await ana.api.get(`/api/appointments/${encodeURIComponent(body.externalId)}`)).body;
    expect(view.appointment.clientResponse).toBeNull();
    // The timeline still says what the client had answered, on the reschedule that cleared it.
    const rescheduled = view.timeline.filter((e: any) => e.type === 'rescheduled').at(-1);
    expect(rescheduled.detail.clearedClientResponse).toMatchObject({ response: 'cancel_requested' });
  });

  it("plans the notice again when a second change cancels the first one's notice before it went out", async () => {
    // One message a minute: once the confirmation is out, the notice of the first change waits.
    const rita = await bookingAdvisor(service, 'Rita', {
      pacing: { mode: 'off' },
      rateLimit: { max: 1, durationMs: 60_000 },
    });
    const body = booking({ address: 'Calle Sol 1' });
    const booked = await rita.api.post('/api/appointments', body);
    await waitForStatus(rita, onlyOne(booked.body.messages, 'confirmation').id, SENT);
    const path = `/api/appointments/${encodeURIComponent(body.externalId)}`;
    const newStart = new Date(Date.parse(body.startsAt) + 86_400_000).toISOString();
    const moved = await rita.api.patch(path, { startsAt: newStart });
    const firstNotice = onlyOne(moved.body.messages, 'rescheduled');
    expect(['scheduled', 'queued']).toContain(firstNotice.status);

    // Right after, the booking module also sends the new room: nothing about the time changes.
    const res = await rita.api.patch(path, { address: 'Calle Luna 3' });
    expect(res.status).toBe(200);
    const notices = byPurpose(res.body.messages, 'rescheduled');
    expect(notices.find((m: any) => m.id === firstNotice.id)).toMatchObject({
      status: 'cancelled',
      error: { code: 'rescheduled' },
    });
    // The client has not heard of the new time yet: a notice of the new version still tells them.
    const waiting = notices.filter((m: any) => m.status !== 'cancelled');
    expect(waiting).toHaveLength(1);
    expect(waiting[0].text).toContain('nueva fecha');
  });

  it('moves the end with the start when a PATCH gives only the new start, keeping the length', async () => {
    const HOUR = 3_600_000;
    const at = (ms: number) => new Date(ms).toISOString();
    const start = inSeconds(2 * 86_400).getTime();
    const body = booking({ startsAt: at(start), endsAt: at(start + HOUR) });
    expect((await ana.api.post('/api/appointments', body)).status).toBe(201);
    const followUpAt = (res: any) =>
      res.body.messages.find((m: any) => m.purpose === 'follow_up' && m.status === 'scheduled')?.scheduledAt;

    // The next day, same hour: the end used to stay behind, and the move was 422 "endsAt".
    const later = await patch(body.externalId, { startsAt: at(start + 86_400_000) });
    expect(later.status).toBe(200);
    expect(later.body.appointment).toMatchObject({
      startsAt: at(start + 86_400_000),
      endsAt: at(start + 86_400_000 + HOUR),
    });
    expect(followUpAt(later)).toBe(at(start + 86_400_000 + HOUR + 120 * 60_000));

    // Two hours earlier: still one hour long (it used to become three, the follow-up unmoved).
    const earlier = await patch(body.externalId, { startsAt: at(start + 86_400_000 - 2 * HOUR) });
    expect(earlier.body.appointment.endsAt).toBe(at(start + 86_400_000 - HOUR));
    expect(followUpAt(earlier)).toBe(at(start + 86_400_000 - HOUR + 120 * 60_000));

    // An end the caller gives, or clears, is taken as given.
    const both = await patch(body.externalId, { startsAt: at(start), endsAt: at(start + 2 * HOUR) });
    expect(both.body.appointment).toMatchObject({ startsAt: at(start), endsAt: at(start + 2 * HOUR) });
    const open = await patch(body.externalId, { startsAt: at(start + HOUR), endsAt: null });
    expect(open.body.appointment).toMatchObject({ startsAt: at(start + HOUR), endsAt: null });
  });

  it('answers 404 for an unknown appointment and 422 for an end before the start', async () => {
    expect((await patch('nope', { address: 'x' })).status).toBe(404);
    const body = booking();
    await ana.api.post('/api/appointments', body);
    const bad = await patch(body.externalId, { endsAt: inSeconds(60).toISOString() });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.fields[0].field).toBe('endsAt');
  });

  it('is not blocked by a caller who sent one of its own message keys as an Idempotency-Key', async () => {
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    // The key the reschedule will give its new reminder (version 2), taken first by a plain send.
    const key = `appointment:${booked.body.appointment.id}:v2:reminder`;
    const send = { to: '+34699000111', text: 'unrelated' };
    const first = await ana.api.post('/api/whatsapp/send', send, { 'idempotency-key': key });
    expect(first.status).toBe(202);

    const moved = await patch(body.externalId, { startsAt: inSeconds(4 * 86_400).toISOString() });
    expect(moved.status).toBe(200);
    const planned = byPurpose(moved.body.messages, 'reminder').filter((m) => m.status === 'scheduled');
    expect(planned).toHaveLength(1);
    expect(planned[0].appointmentId).toBe(booked.body.appointment.id);

    // The caller's key still answers its own repeats, and a different body with it is still a 409.
    const again = await ana.api.post('/api/whatsapp/send', send, { 'idempotency-key': key });
    expect([again.status, again.body.message.id]).toEqual([202, first.body.message.id]);
    const other = await ana.api.post(
      '/api/whatsapp/send',
      { ...send, text: 'otro' },
      { 'idempotency-key': key },
    );
    expect([other.status, other.body.error.code]).toEqual([409, 'idempotency_conflict']);
  });
});

describe('rescheduling while the reminder is being sent', () => {
  it('wins when it commits between the send-time check and the claim: nothing goes out', async () => {
    // Due in 30 s, so the real worker is not involved: this test plays the worker itself.
    const body = booking({ startsAt: inSeconds(60 + 30).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    // Its time has come, as far as the row says (a job woken before a scheduled message's time
    // waits for it, and never reaches the send-time check); its own job still sleeps 30 s.
    await service.database.db
      .update(whatsappMessage)
      .set({ scheduledAt: new Date(Date.now() - 1_000) })
      .where(eq(whatsappMessage.id, reminder.id));
    const ctx = service.runtime.ctx;
    const guard = appointmentSendGuard(ctx);
    const outcome = await deliverMessage(ctx, ana.userId, reminder.id, {
      mustSkip: async (message) => {
        const verdict = await guard(message);
        expect(verdict).toBeNull(); // still valid when checked …
        await rescheduleAppointment(
          ctx,
          service.runtime.messages,
          ana.userId,
          body.externalId,
          { startsAt: inSeconds(2 * 86_400) },
          { type: 'api_key', id: null },
        );
        return verdict; // … and rescheduled before the claim
      },
    });
    expect(outcome.kind).toBe('done');
    await sleep(500);
    expect(await reminders(body.clientPhone)).toHaveLength(0);
    expect((await waitForStatus(ana, reminder.id, ['cancelled'])).error.code).toBe('rescheduled');
  });

  it('skips an old-version message that comes back for a retry after the reschedule', async () => {
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    await patch(body.externalId, { startsAt: inSeconds(4 * 86_400).toISOString() });
    // As if it had been `sending` during the reschedule and its send then failed and was released.
    await service.database.db
      .update(whatsappMessage)
      .set({ status: 'queued', errorCode: null, errorMessage: null })
      .where(eq(whatsappMessage.id, reminder.id));
    const outcome = await deliverMessage(service.runtime.ctx, ana.userId, reminder.id, {
      mustSkip: appointmentSendGuard(service.runtime.ctx),
    });
    expect(outcome).toEqual({ kind: 'skipped', reason: 'appointment_rescheduled' });
    expect(await reminders(body.clientPhone)).toHaveLength(0);
  });

  // Two connections are needed to hold a row lock while the reschedule runs: PostgreSQL only (on
  // PGlite a transaction has the one connection to itself, so a claim cannot land inside it).
  it.skipIf(!process.env.DATABASE_URL)(
    'always sends a notice when the reminder is claimed while the reschedule runs',
    async () => {
      await setSettings(ana, { rescheduleNotice: false });
      const body = booking();
      const booked = await ana.api.post('/api/appointments', body);
      await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, SENT);
      const reminder = onlyOne(booked.body.messages, 'reminder');
      const location = service.database.location;
      if (location.kind !== 'postgres') throw new Error('needs PostgreSQL');
      const { default: pg } = await import('pg');
      const worker = new pg.Client({ connectionString: location.url });
      await worker.connect();
      try {
        // The worker is about to claim the reminder: the reschedule's cancel has to wait for it.
        await worker.query('begin');
        await worker.query('select id from whatsapp_message where id = $1 for update', [reminder.id]);
        const patching = patch(body.externalId, { startsAt: inSeconds(4 * 86_400).toISOString() });
        await waitFor(
          async () =>
            (await worker.query('select count(*)::int as n from pg_locks where not granted')).rows[0].n,
          (n) => n > 0,
          { what: 'the reschedule waiting for the reminder row' },
        );
        await worker.query(
          `update whatsapp_message set status = 'sending', updated_at = now() where id = $1`,
          [reminder.id],
        );
        await worker.query('commit');
        const res = await patching;
        expect(res.status).toBe(200);
        const byId = new Map(res.body.messages.map((m: any) => [m.id, m]));
        expect(byId.get(reminder.id)).toMatchObject({ status: 'sending' });
        // The old reminder goes out with the old time: the notice is what corrects it.
        expect(byPurpose(res.body.messages, 'rescheduled')).toHaveLength(1);
      } finally {
        await worker.query('rollback').catch(() => undefined);
        await worker.end();
        await service.database.db
          .update(whatsappMessage)
          .set({ status: 'failed' })
          .where(eq(whatsappMessage.id, reminder.id));
      }
    },
  );

  it('cannot recall a reminder already in the gateway: it leaves it and always sends a notice', async () => {
    await setSettings(ana, { rescheduleNotice: false });
    await emulator.put('/_emulator/faults', { latencyMs: 1_500 });
    const body = booking({ startsAt: inSeconds(60 + 2).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    await waitForStatus(ana, reminder.id, ['sending'], 10_000);

    const res = await patch(body.externalId, { startsAt: inSeconds(86_400).toISOString() });
    expect(res.status).toBe(200);
    const byId = new Map(res.body.messages.map((m: any) => [m.id, m]));
    expect(byId.get(reminder.id)).toMatchObject({ status: 'sending' });
    const notice = onlyOne(res.body.messages, 'rescheduled');
    expect(
      res.body.messages.filter((m: any) => m.purpose === 'reminder' && m.status === 'scheduled'),
    ).toHaveLength(1);

    await waitForStatus(ana, reminder.id, SENT);
    await waitForStatus(ana, notice.id, SENT);
    const texts = await textsTo(ana, body.clientPhone);
    // The old reminder went out (it was already on its way), and the notice came after it.
    expect(texts.findIndex((t) => t.includes('nueva fecha'))).toBeGreaterThan(
      texts.findIndex((t) => t.includes('recuerdo')),
    );
  });
});
