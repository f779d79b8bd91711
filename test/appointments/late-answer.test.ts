// A client's unquoted "1" or "2" answers the latest reminder sent before the client WROTE it
// (WhatsApp's messageTimestamp), not before it reached us. Evolution retries a webhook for about
// 20 minutes after an outage of ours, and our own worker may apply a stored event later still:
// meanwhile the appointment may have moved and its new reminder gone out, or another
// appointment's reminder. The late "1" used to confirm that newer reminder, which the client had
// not seen when they answered; and one received before a newer reminder went out but applied
// after was dropped outright. The timeline's "answered" follows the same rule.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertWebhookEvents } from '../../src/db/repositories/webhook-event.repository.js';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { ANSWER_CLOCK_TOLERANCE_MS } from '../../src/domain/inbox/receive-inbound-message.js';
import { processWebhookEvent } from '../../src/domain/webhooks/process-webhook-event.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { envelope } from '../support/whatsapp.js';
import {
  booking,
  bookingAdvisor,
  detail,
  newPhone,
  onlyOne,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let emulator: HttpClient;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
  ana = await bookingAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const MINUTE = 60_000;
const path = (externalId: string) => `/api/appointments/${encodeURIComponent(externalId)}`;
const responseOf = async (externalId: string) =>
  (await detail(ana, externalId)).appointment.clientResponse as string | null;
const repliedAt = async (id: string) =>
  (await ana.client.get(`/api/whatsapp/messages/${id}`)).body.repliedAt as string | null;

async function book(over: Record<string, unknown> = {}) {
  const body = booking(over);
  const booked = await ana.api.post('/api/appointments', body);
  expect(booked.status).toBe(201);
  await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, SENT);
  return body;
}

async function sendReminder(externalId: string) {
  const sent = await ana.client.post(`${path(externalId)}/send`, { kind: 'reminder' });
  expect(sent.status).toBe(202);
  return waitForStatus(ana, sent.body.message.id, SENT);
}

/** What has been sent to this client so far went out `ms` earlier: the minutes before an outage. */
async function sentEarlier(phone: string, ms: number, advisor: BookingAdvisor = ana) {
  await service.database.db
    .update(whatsappMessage)
    .set({ sentAt: sql`${whatsappMessage.sentAt} - make_interval(secs => ${ms / 1000})` })
    .where(and(eq(whatsappMessage.advisorId, advisor.userId), eq(whatsappMessage.phone, phone)));
}

/**
 * Two appointments of one client, each with its reminder sent: the first's ten minutes ago (the
 * reminder the client had), the second's now.
 */
async function twoRemindersTenMinutesApart() {
  const first = await book();
  const phone = first.clientPhone as string;
  await sendReminder(first.externalId);
  await sentEarlier(phone, 10 * MINUTE);
  const second = await book({ clientPhone: phone });
  await sendReminder(second.externalId);
  return { first, second, phone };
}

const inboundCount = async (phone: string, advisor: BookingAdvisor = ana) =>
  (
    (await advisor.client.get(`/api/whatsapp/conversations/${encodeURIComponent(phone)}/messages`)).body
      .items ?? []
  ).filter((m: any) => m.direction === 'inbound').length as number;

const upsert = (phone: string, text: string, writtenAt: Date) => ({
  key: { remoteJid: `${phone.slice(1)}@s.whatsapp.net`, fromMe: false, id: `LATE${randomUUID()}` },
  pushName: 'Cliente',
  status: 'DELIVERY_ACK',
  message: { conversation: text },
  messageType: 'conversation',
  messageTimestamp: Math.floor(writtenAt.getTime() / 1000),
});

/** The client's message, written at `writtenAt`, reaching us now (Evolution's last retry). */
async function arrivesNow(phone: string, text: string, writtenAt: Date, advisor: BookingAdvisor = ana) {
  const before = await inboundCount(phone, advisor);
  const res = await emulator.post(`/_emulator/instances/${advisor.instanceName}/emit`, {
    event: 'messages.upsert',
    data: upsert(phone, text, writtenAt),
  });
  expect(res.status).toBe(200);
  await waitFor(
    () => inboundCount(phone, advisor),
    (count) => count === before + 1,
    { what: `the client's "${text}" stored` },
  );
}

describe('a "1" that reaches us minutes after the client wrote it', () => {
  it('does not confirm the reminder of the new time sent meanwhile', async () => {
    const body = await book();
    const phone = body.clientPhone as string;
    const old = await sendReminder(body.externalId);
    await sentEarlier(phone, 10 * MINUTE);

    // The client answers the old reminder five minutes ago; we are down. The appointment moves
    // and the new reminder goes out; then Evolution's retry brings the "1".
    const moved = await ana.api.patch(path(body.externalId), {
      startsAt: new Date(Date.parse(body.startsAt) + 86_400_000).toISOString(),
    });
    expect(moved.status).toBe(200);
    await waitForStatus(ana, onlyOne(moved.body.messages, 'rescheduled').id, SENT);
    const current = await sendReminder(body.externalId);
    await arrivesNow(phone, '1', new Date(Date.now() - 5 * MINUTE));

    // It answered the reminder of the old time: nothing is recorded for the new one.
    expect(await responseOf(body.externalId)).toBeNull();
    expect(await repliedAt(old.id)).not.toBeNull();
    expect(await repliedAt(current.id)).toBeNull();

    // A "1" written after the new reminder answers it.
    await arrivesNow(phone, '1', new Date());
    expect(await responseOf(body.externalId)).toBe('confirmed');
  });

  it("answers the appointment whose reminder the client had, not another one's sent later", async () => {
    const { first, second, phone } = await twoRemindersTenMinutesApart();

    await arrivesNow(phone, '2', new Date(Date.now() - 5 * MINUTE));
    expect(await responseOf(first.externalId)).toBe('cancel_requested');
    expect(await responseOf(second.externalId)).toBeNull();
  });

  it('within the clock tolerance of a reminder sent after it, answers that reminder', async () => {
    // WhatsApp dates to the second, by its clock: a "1" dated a little before our record of the
    // send still answers it.
    const { first, second, phone } = await twoRemindersTenMinutesApart();

    await arrivesNow(phone, '1', new Date(Date.now() - ANSWER_CLOCK_TOLERANCE_MS / 2));
    expect(await responseOf(second.externalId)).toBe('confirmed');
    expect(await responseOf(first.externalId)).toBeNull();
  });
});

describe('a "1" received before a newer reminder went out, applied after it', () => {
  it('answers the reminder the client had instead of being dropped', async () => {
    const { first, second, phone } = await twoRemindersTenMinutesApart();

    // Stored five minutes ago, when it came (and written then), applied only now.
    const fiveMinutesAgo = new Date(Date.now() - 5 * MINUTE);
    const [id] = await insertWebhookEvents(service.database.db, [
      {
        advisorId: ana.userId,
        event: 'MESSAGES_UPSERT',
        payload: envelope(ana.instanceName, 'messages.upsert', upsert(phone, '1', fiveMinutesAgo)),
        receivedAt: fiveMinutesAgo,
      },
    ]);
    expect(await processWebhookEvent(service.runtime.ctx, ana.userId, id!, { finalAttempt: false })).toBe(
      'processed',
    );
    expect(await responseOf(first.externalId)).toBe('confirmed');
    expect(await responseOf(second.externalId)).toBeNull();
  });
});

// The metrics' reply time (outboundToReply) runs from our send to when the client wrote the
// reply, by the rule above: WhatsApp's date of it, never after it reached us. It used to run to
// the arrival, so replies brought late by Evolution's retries counted our outage as the client's
// slowness. Each test has an advisor of its own: the metrics are the advisor's.
describe('the response time of a reply', () => {
  async function sendTo(advisor: BookingAdvisor, phone: string) {
    const sent = await advisor.api.post('/api/whatsapp/send', { to: phone, type: 'text', text: 'Hola' });
    expect(sent.status).toBe(202);
    return waitForStatus(advisor, sent.body.message.id, SENT);
  }
  const replyTime = async (advisor: BookingAdvisor) =>
    (await advisor.client.get('/api/whatsapp/metrics')).body.responseTime.outboundToReply as {
      median: number | null;
      p90: number | null;
    };

  it('runs to when the client wrote it, not to when a retry brought it', async () => {
    const rita = await bookingAdvisor(service, 'Rita Metrics');
    const phone = newPhone();
    const sent = await sendTo(rita, phone);
    await sentEarlier(phone, 10 * MINUTE, rita);
    // Written two minutes after our send; reaching us eight minutes later.
    await arrivesNow(phone, 'Gracias', new Date(Date.now() - 8 * MINUTE), rita);

    const { median } = await replyTime(rita);
    // WhatsApp dates to the second: within a second of two minutes (the arrival gave ten).
    expect(median).toBeGreaterThanOrEqual(119);
    expect(median).toBeLessThanOrEqual(121);
    // repliedAt itself is still the reply's arrival: the agenda finds the reply by it.
    expect(
      Date.parse((await rita.client.get(`/api/whatsapp/messages/${sent.id}`)).body.repliedAt),
    ).toBeGreaterThan(Date.now() - MINUTE);
  });

  it('is 0, never negative, for a reply WhatsApp dates a little before our record of the send', async () => {
    const teo = await bookingAdvisor(service, 'Teo Metrics');
    const phone = newPhone();
    await sendTo(teo, phone);
    await sentEarlier(phone, 5_000, teo);
    // Still the message answered (within the clock tolerance), but dated 25 s before our sent_at,
    // and reaching us 5 s after it.
    await arrivesNow(phone, 'Ok', new Date(Date.now() - 30_000), teo);
    expect(await replyTime(teo)).toEqual({ median: 0, p90: 0 });
  });
});
