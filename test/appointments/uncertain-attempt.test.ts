// An appointment cancelled or rescheduled while one of its messages is "uncertain": the gateway's
// answer to its last attempt was lost (our timeout), so WhatsApp may have it, and the row is
// `queued` again, waiting SEND_UNCERTAIN_RETRY_MS for Evolution's echo. Both calls used to mark
// such a row `cancelled` like any waiting one: the echo then found no waiting row to adopt, and the
// history said "cancelled" for a message the client had (what a manual cancel refuses with a 409,
// test/messages/uncertain-cancel.test.ts). Now they leave it alone, name it in `inFlight`, and the
// echo records it; a reschedule also corrects the old time with a "rescheduled" notice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { slowGatewayEnv, SLOW_TIMEOUT_MS } from '../support/slow-gateway.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  booking,
  bookingAdvisor,
  inSeconds,
  onlyOne,
  setSettings,
  textsTo,
  type BookingAdvisor,
} from './support.js';

// The emulator answers (and echoes) this long after the request: 3 s after our timeout, so the
// call below has time to run between the timed-out attempt and its echo, and the echo lands well
// before the uncertain wait ends (timeout + 8 s).
const GATEWAY_LATENCY_MS = SLOW_TIMEOUT_MS + 3_000;
const UNCERTAIN_WAIT_MS = 8_000;
const SENT = ['sent', 'delivered', 'read'];

let service: TestService;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: slowGatewayEnv(UNCERTAIN_WAIT_MS) });
  ana = await bookingAdvisor(service, 'Ana');
});
afterEach(async () => {
  await ana.emulator.delete('/_emulator/faults');
  await setSettings(ana, { rescheduleNotice: true });
});
afterAll(async () => {
  await service?.close();
});

const row = (id: string) => findMessage(service.runtime.ctx.db, ana.userId, id);

/** Waits until the message's attempt timed out and it waits for its echo. */
const uncertain = (id: string) =>
  waitFor(
    () => row(id),
    (m) => m?.status === 'queued' && m.uncertainUntil !== null && m.uncertainUntil > new Date(),
    { what: `message ${id} waiting for the echo of a timed-out attempt`, intervalMs: 20 },
  );

const echoed = (id: string) =>
  waitFor(
    () => row(id),
    (m) => m !== null && SENT.includes(m.status),
    {
      what: `message ${id} recorded as sent by its echo`,
      timeoutMs: 15_000,
    },
  );

describe('an appointment message whose last attempt got no answer', () => {
  it('is left to its echo by a cancel, which names it in inFlight', async () => {
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    expect(booked.status).toBe(201);
    const confirmation = onlyOne(booked.body.messages, 'confirmation');
    const reminder = onlyOne(booked.body.messages, 'reminder');
    await uncertain(confirmation.id);

    const res = await ana.api.post(`/api/appointments/${body.externalId}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.appointment.status).toBe('cancelled');
    const byId = new Map(res.body.messages.map((m: any) => [m.id, m]));
    // What had not been tried is cancelled as before.
    expect(byId.get(reminder.id)).toMatchObject({
      status: 'cancelled',
      error: { code: 'appointment_cancelled' },
    });
    // The confirmation may be on the client's phone: not cancelled, and said so.
    expect(byId.get(confirmation.id)).toMatchObject({ status: 'queued' });
    expect(res.body.inFlight).toEqual([confirmation.id]);

    const sent = await echoed(confirmation.id);
    expect(sent!.evolutionMessageId).not.toBeNull();
    const texts = await textsTo(ana, body.clientPhone);
    expect(texts).toHaveLength(1);
  }, 60_000);

  it('with no echo, is not sent again after a cancel: its retry is skipped by the send-time check', async () => {
    // Every webhook lost: the attempt reached the phone, but nothing will tell us.
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS, dropWebhookRate: 1 });
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    const confirmation = onlyOne(booked.body.messages, 'confirmation');
    await uncertain(confirmation.id);

    const res = await ana.api.post(`/api/appointments/${body.externalId}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.inFlight).toEqual([confirmation.id]);
    const ended = await waitFor(
      () => row(confirmation.id),
      (m) => m?.status === 'skipped',
      {
        what: 'the retry of the uncertain confirmation skipped',
        timeoutMs: 30_000,
      },
    );
    expect(ended!.errorCode).toBe('appointment_cancelled');
    expect(await textsTo(ana, body.clientPhone)).toHaveLength(1);
  }, 60_000);

  it('is left to its echo by a reschedule, which sends a notice of the new time', async () => {
    // The notice is off, but a reminder with the old time may be on the phone: it goes anyway.
    await setSettings(ana, { rescheduleNotice: false });
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    // Booked 30 minutes ahead: the reminder (a day before) is late and goes out at once too.
    const body = booking({ startsAt: inSeconds(30 * 60).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    const confirmation = onlyOne(booked.body.messages, 'confirmation');
    await uncertain(reminder.id);
    await uncertain(confirmation.id);

    const res = await ana.api.patch(`/api/appointments/${body.externalId}`, {
      startsAt: inSeconds(2 * 3_600).toISOString(),
    });
    expect(res.status).toBe(200);
    const byId = new Map(res.body.messages.map((m: any) => [m.id, m]));
    expect(byId.get(reminder.id)).toMatchObject({ status: 'queued' });
    expect(byId.get(confirmation.id)).toMatchObject({ status: 'queued' });
    expect([...res.body.inFlight].sort()).toEqual([confirmation.id, reminder.id].sort());
    const notice = onlyOne(res.body.messages, 'rescheduled');
    // No second confirmation: the first one is taken as handed over, as a `sending` one is.
    expect(res.body.messages.filter((m: any) => m.purpose === 'confirmation')).toHaveLength(1);

    await echoed(reminder.id);
    await echoed(confirmation.id);
    await ana.emulator.delete('/_emulator/faults');
    await waitFor(
      () => row(notice.id),
      (m) => m !== null && SENT.includes(m.status),
      {
        what: 'the rescheduled notice sent',
        timeoutMs: 30_000,
      },
    );
  }, 90_000);
});
