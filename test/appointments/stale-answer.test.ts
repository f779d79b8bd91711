// A client's "1" or "2" counts only when the reminder it answers named the appointment's current
// time. After a PATCH that moved the time, a late answer to the old reminder (quoted, or unquoted
// while that reminder is still the latest one sent) used to be recorded against the new time: the
// agenda showed the moved appointment as confirmed by a client who only ever confirmed the old one.
// A change that leaves the time alone (address, name) keeps earlier reminders answerable.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordClientResponse } from '../../src/db/repositories/inbox.repository.js';
import { appointment } from '../../src/db/schema/index.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { booking, bookingAdvisor, detail, onlyOne, waitForStatus, type BookingAdvisor } from './support.js';

let service: TestService;
let emulator: HttpClient;
let ana: BookingAdvisor;
let bea: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
  ana = await bookingAdvisor(service, 'Ana');
  bea = await bookingAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const path = (externalId: string) => `/api/appointments/${encodeURIComponent(externalId)}`;
const patch = (advisor: BookingAdvisor, externalId: string, body: Record<string, unknown>) =>
  advisor.api.patch(path(externalId), body);
const responseOf = async (advisor: BookingAdvisor, externalId: string) =>
  (await detail(advisor, externalId)).appointment.clientResponse as string | null;

/** Books an appointment and sends its reminder by hand; answers the reminder once sent. */
async function bookedWithReminderSent(advisor: BookingAdvisor, over: Record<string, unknown> = {}) {
  const body = booking({ address: 'Calle Sol 1', ...over });
  const booked = await advisor.api.post('/api/appointments', body);
  expect(booked.status).toBe(201);
  await waitForStatus(advisor, onlyOne(booked.body.messages, 'confirmation').id, SENT);
  const reminder = await sendReminder(advisor, body.externalId);
  return { body, reminder };
}

async function sendReminder(advisor: BookingAdvisor, externalId: string) {
  const sent = await advisor.client.post(`${path(externalId)}/send`, { kind: 'reminder' });
  expect(sent.status).toBe(202);
  return waitForStatus(advisor, sent.body.message.id, SENT);
}

/** The client's inbound messages the advisor's inbox holds: the answer and its effects are committed together. */
const inboundCount = async (advisor: BookingAdvisor, phone: string) =>
  (
    (await advisor.client.get(`/api/whatsapp/conversations/${encodeURIComponent(phone)}/messages`)).body
      .items ?? []
  ).filter((m: any) => m.direction === 'inbound').length as number;

/**
 * The client writes `text`, quoting one of the advisor's messages (WhatsApp's "reply to") when
 * `quotedId` is given; waits until the service stored it, and so applied whatever it answers.
 */
async function clientAnswers(advisor: BookingAdvisor, from: string, text: string, quotedId?: string) {
  const before = await inboundCount(advisor, from);
  const contextInfo = quotedId
    ? {
        contextInfo: {
          stanzaId: quotedId,
          participant: `${advisor.phone.slice(1)}@s.whatsapp.net`,
          quotedMessage: { conversation: 'Te recuerdo tu próxima cita…' },
        },
      }
    : {};
  const res = await emulator.post(`/_emulator/instances/${advisor.instanceName}/emit`, {
    event: 'messages.upsert',
    data: {
      key: { remoteJid: `${from.slice(1)}@s.whatsapp.net`, fromMe: false, id: `ANS${randomUUID()}` },
      pushName: 'Cliente',
      status: 'DELIVERY_ACK',
      message: { conversation: text },
      messageType: 'conversation',
      messageTimestamp: Math.floor(Date.now() / 1000),
      ...contextInfo,
    },
  });
  expect(res.status).toBe(200);
  await waitFor(
    () => inboundCount(advisor, from),
    (count) => count === before + 1,
    { what: `the client's "${text}" stored` },
  );
}

const laterStart = (startsAt: unknown) => new Date(Date.parse(startsAt as string) + 86_400_000).toISOString();

describe('an answer to a reminder of an earlier time', () => {
  it('quoting the old reminder after the time moved: the moved appointment stays unanswered', async () => {
    const { body, reminder } = await bookedWithReminderSent(ana);
    const moved = await patch(ana, body.externalId, { startsAt: laterStart(body.startsAt) });
    expect(moved.status).toBe(200);
    await waitForStatus(ana, onlyOne(moved.body.messages, 'rescheduled').id, SENT);

    await clientAnswers(ana, body.clientPhone as string, '1', reminder.evolutionMessageId);
    expect(await responseOf(ana, body.externalId)).toBeNull();
    // The message is still the client's, in the inbox, and answered that reminder.
    expect((await ana.client.get(`/api/whatsapp/messages/${reminder.id}`)).body.repliedAt).not.toBeNull();
  });

  it('unquoted, while the old reminder is still the latest one sent: unanswered too', async () => {
    const { body } = await bookedWithReminderSent(ana);
    const moved = await patch(ana, body.externalId, { startsAt: laterStart(body.startsAt) });
    await waitForStatus(ana, onlyOne(moved.body.messages, 'rescheduled').id, SENT);

    await clientAnswers(ana, body.clientPhone as string, '2');
    expect(await responseOf(ana, body.externalId)).toBeNull();
    // A time zone change moves the time as well.
    const zoned = await patch(ana, body.externalId, { timezone: 'America/Mexico_City' });
    expect(zoned.status).toBe(200);
    const reminder = await sendReminder(ana, body.externalId);
    await patch(ana, body.externalId, { timezone: 'Europe/Lisbon' });
    await clientAnswers(ana, body.clientPhone as string, '1', reminder.evolutionMessageId);
    expect(await responseOf(ana, body.externalId)).toBeNull();
  });

  it('a reminder sent after the move names the new time: its answer counts, quoted or not', async () => {
    const { body, reminder: old } = await bookedWithReminderSent(ana);
    await patch(ana, body.externalId, { startsAt: laterStart(body.startsAt) });
    const current = await sendReminder(ana, body.externalId);

    await clientAnswers(ana, body.clientPhone as string, '1', current.evolutionMessageId);
    expect(await responseOf(ana, body.externalId)).toBe('confirmed');
    // A later "2" quoting the old reminder does not take it back.
    await new Promise((r) => setTimeout(r, 1_100)); // a later WhatsApp timestamp
    await clientAnswers(ana, body.clientPhone as string, '2', old.evolutionMessageId);
    expect(await responseOf(ana, body.externalId)).toBe('confirmed');
    // Unquoted: the latest reminder sent is the new one.
    await clientAnswers(ana, body.clientPhone as string, '2');
    expect(await responseOf(ana, body.externalId)).toBe('cancel_requested');
  });
});

describe('an answer to a reminder of a version that kept the time', () => {
  it('still counts after the address or the name changed, quoted or not', async () => {
    const { body, reminder } = await bookedWithReminderSent(ana);
    const changed = await patch(ana, body.externalId, { address: 'Calle Luna 3' });
    expect(changed.body.appointment.version).toBe(2);

    await clientAnswers(ana, body.clientPhone as string, '2', reminder.evolutionMessageId);
    expect(await responseOf(ana, body.externalId)).toBe('cancel_requested');

    await patch(ana, body.externalId, { clientName: 'Marta López' });
    await new Promise((r) => setTimeout(r, 1_100)); // a later WhatsApp timestamp
    await clientAnswers(ana, body.clientPhone as string, '1');
    expect(await responseOf(ana, body.externalId)).toBe('confirmed');
  });

  it('a reminder sent between a move and an address change still names the current time', async () => {
    const { body, reminder: old } = await bookedWithReminderSent(ana);
    await patch(ana, body.externalId, { startsAt: laterStart(body.startsAt) });
    const current = await sendReminder(ana, body.externalId);
    await patch(ana, body.externalId, { address: 'Calle Luna 3' });

    await clientAnswers(ana, body.clientPhone as string, '1', old.evolutionMessageId);
    expect(await responseOf(ana, body.externalId)).toBeNull();
    await clientAnswers(ana, body.clientPhone as string, '1', current.evolutionMessageId);
    expect(await responseOf(ana, body.externalId)).toBe('confirmed');
  });
});

describe('two advisors with the same client', () => {
  it("one advisor's move says nothing about the other's appointment", async () => {
    const { body: anas, reminder: anasReminder } = await bookedWithReminderSent(ana);
    const { body: beas, reminder: beasReminder } = await bookedWithReminderSent(bea, {
      clientPhone: anas.clientPhone,
    });
    await patch(bea, beas.externalId, { startsAt: laterStart(beas.startsAt) });

    await clientAnswers(ana, anas.clientPhone as string, '1', anasReminder.evolutionMessageId);
    expect(await responseOf(ana, anas.externalId)).toBe('confirmed');
    await clientAnswers(bea, beas.clientPhone as string, '1', beasReminder.evolutionMessageId);
    expect(await responseOf(bea, beas.externalId)).toBeNull();
  });
});

describe.skipIf(!process.env.DATABASE_URL)('an answer racing a reschedule (PostgreSQL)', () => {
  it('waits for the reschedule holding the row, then sees the new time and records nothing', async () => {
    // The reminder sent by hand is of version 1, the booking's.
    const { body } = await bookedWithReminderSent(ana);
    const db = service.database.db;
    const where = and(eq(appointment.advisorId, ana.userId), eq(appointment.externalId, body.externalId));
    const [row] = await db.select().from(appointment).where(where);
    let answer: Promise<unknown> | undefined;
    let settled = false;
    // What a PATCH moving the time does to the row, inside its transaction holding the row's lock.
    await db.transaction(async (tx) => {
      await tx.select().from(appointment).where(where).for('update');
      answer = recordClientResponse(db, ana.userId, row!.id, 1, 'confirmed', new Date());
      void answer.finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false); // the answer's UPDATE waits for the lock
      await tx.update(appointment).set({ version: 2, timeVersion: 2 }).where(where);
    });
    expect(await answer).toBeNull();
    expect(await responseOf(ana, body.externalId)).toBeNull();
  });
});
