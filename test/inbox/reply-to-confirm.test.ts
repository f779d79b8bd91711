// "Responde 1 para confirmar… responde 2…": a client's answer to a reminder (sent within 7 days)
// marks that appointment confirmed or cancel_requested, and the dashboard hears it. The reminder
// is the one the reply quotes (a WhatsApp reply to that message), else the latest one.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMessage } from '../../src/db/repositories/message.repository.js';
import { appointment } from '../../src/db/schema/index.js';
import type { LiveEvent } from '../../src/domain/events/event-bus.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';
import {
  booking,
  bookingAdvisor,
  detail,
  inSeconds,
  onlyOne,
  waitForStatus,
  type BookingAdvisor,
} from '../appointments/support.js';

let service: TestService;
let emulator: HttpClient;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
  ana = await connectedAdvisor(service, 'Ana');
  bea = await connectedAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const db = () => service.database.db;
let n = 0;

/** An appointment and the outbound message about it, as the appointment automation leaves them. */
async function appointmentWith(
  phone: string,
  message: { purpose?: string; sentAgoMs?: number; status?: string } = {},
  status = 'scheduled',
  owner: ConnectedAdvisor = ana,
) {
  const [row] = await db()
    .insert(appointment)
    .values({
      advisorId: owner.userId,
      externalId: `ext-${n++}-${randomUUID()}`,
      clientName: 'Cliente',
      clientPhone: phone,
      startsAt: new Date(Date.now() + 86_400_000),
      timezone: 'Europe/Madrid',
      status,
    })
    .returning();
  const sentAt = new Date(Date.now() - (message.sentAgoMs ?? 3_600_000));
  const sent = await insertMessage(db(), owner.userId, {
    direction: 'outbound',
    phone,
    type: 'text',
    text: 'Responde 1 para confirmar o 2 para cancelar.',
    purpose: message.purpose ?? 'reminder',
    appointmentId: row!.id,
    status: message.status ?? 'delivered',
    createdAt: sentAt,
    sentAt,
    // The id WhatsApp gave the message: what a reply quoting it carries in contextInfo.stanzaId.
    evolutionMessageId: `3EB0${randomUUID().replace(/-/g, '').slice(0, 18).toUpperCase()}`,
  });
  return { ...row!, messageId: sent.id, sentId: sent.evolutionMessageId! };
}

const appointmentRow = async (id: string) =>
  (await db().select().from(appointment).where(eq(appointment.id, id)))[0]!;

async function clientWrites(from: string, text: string) {
  expect(
    (await emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, { from, text })).status,
  ).toBe(201);
}

/**
 * A WhatsApp reply: the client's text quoting one of the advisor's messages. Evolution lifts the
 * content's contextInfo to the top of the data (§4.4); an unflattened extendedTextMessage keeps it.
 */
async function clientQuotes(
  advisor: ConnectedAdvisor,
  from: string,
  text: string,
  quotedId: string,
  form: 'lifted' | 'extendedText' = 'lifted',
) {
  const contextInfo = {
    stanzaId: quotedId,
    participant: `${advisor.phone.slice(1)}@s.whatsapp.net`,
    quotedMessage: { conversation: 'Te recuerdo tu próxima cita…' },
  };
  const data = {
    key: { remoteJid: `${from.slice(1)}@s.whatsapp.net`, fromMe: false, id: `QUOTE${n++}${Date.now()}` },
    pushName: 'Cliente',
    status: 'DELIVERY_ACK',
    ...(form === 'lifted'
      ? { message: { conversation: text }, contextInfo, messageType: 'conversation' }
      : { message: { extendedTextMessage: { text, contextInfo } }, messageType: 'extendedTextMessage' }),
    messageTimestamp: Math.floor(Date.now() / 1000),
  };
  const res = await emulator.post(`/_emulator/instances/${advisor.instanceName}/emit`, {
    event: 'messages.upsert',
    data,
  });
  expect(res.status).toBe(200);
}

/** The agenda's view of an appointment: the client's replies listed with its messages. */
async function agendaReplies(advisor: ConnectedAdvisor, appointmentId: string): Promise<string[]> {
  const res = await advisor.client.get('/api/appointments?limit=200');
  const item = (res.body.items as any[]).find((a) => a.id === appointmentId);
  return (item?.messages ?? []).filter((m: any) => m.direction === 'inbound').map((m: any) => m.text);
}

/** Waits until the client's latest message went through the worker. */
async function processed(phone: string, count: number) {
  await waitFor(
    async () =>
      (await ana.client.get(`/api/whatsapp/conversations/${encodeURIComponent(phone)}/messages`)).body.items,
    (items: any[]) => (items ?? []).filter((m) => m.direction === 'inbound').length === count,
  );
}

describe('answers to a reminder', () => {
  it('confirms on "Sí", publishes it live, then records a later "2" as a cancel request', async () => {
    const appt = await appointmentWith('+34640000001');
    const seen: LiveEvent[] = [];
    const unsubscribe = await service.runtime.events.subscribe(ana.userId, (e) => seen.push(e));
    try {
      await clientWrites('+34640000001', 'Sí');
      const confirmed = await waitFor(
        () => appointmentRow(appt.id),
        (a) => a.clientResponse === 'confirmed',
      );
      expect(confirmed.clientResponseAt).not.toBeNull();
      const live = await waitFor(
        async () => seen.find((e) => e.type === 'appointment'),
        (e) => e !== undefined,
      );
      expect(live!.data).toMatchObject({
        id: appt.id,
        externalId: appt.externalId,
        clientResponse: 'confirmed',
      });
    } finally {
      await unsubscribe();
    }
    await new Promise((r) => setTimeout(r, 1_100)); // a later WhatsApp timestamp
    await clientWrites('+34640000001', '2');
    await waitFor(
      () => appointmentRow(appt.id),
      (a) => a.clientResponse === 'cancel_requested',
    );
  });

  it.each([
    ['1', 'confirmed'],
    ['CONFIRMO', 'confirmed'],
    ['no', 'cancel_requested'],
    ['Cancelar', 'cancel_requested'],
  ])('reads %j as %s', async (text, response) => {
    const phone = `+3464100000${n % 10}`;
    const appt = await appointmentWith(phone);
    await clientWrites(phone, text);
    await waitFor(
      () => appointmentRow(appt.id),
      (a) => a.clientResponse === response,
    );
  });

  it('answers only the latest reminder to that client', async () => {
    const older = await appointmentWith('+34642000001', { sentAgoMs: 2 * 3_600_000 });
    const latest = await appointmentWith('+34642000001', { sentAgoMs: 60_000 });
    await clientWrites('+34642000001', '1');
    await waitFor(
      () => appointmentRow(latest.id),
      (a) => a.clientResponse === 'confirmed',
    );
    expect((await appointmentRow(older.id)).clientResponse).toBeNull();
  });
});

describe("a reply quoting a reminder (WhatsApp's reply to a message)", () => {
  it('answers the quoted reminder, not the latest one, and lists the reply under its appointment', async () => {
    const phone = '+34644000001';
    const older = await appointmentWith(phone, { sentAgoMs: 2 * 3_600_000 });
    const latest = await appointmentWith(phone, { sentAgoMs: 60_000 });
    await clientQuotes(ana, phone, '2', older.sentId);
    await waitFor(
      () => appointmentRow(older.id),
      (a) => a.clientResponse === 'cancel_requested',
    );
    expect((await appointmentRow(latest.id)).clientResponse).toBeNull();
    expect(await agendaReplies(ana, older.id)).toEqual(['2']);
    expect(await agendaReplies(ana, latest.id)).toEqual([]);
    // The API says which message the reply answers: its repliedAt is the reply's createdAt.
    const agenda = (await ana.client.get('/api/appointments?limit=200')).body.items as any[];
    const messagesOf = (id: string) => agenda.find((a) => a.id === id)?.messages ?? [];
    const reply = messagesOf(older.id).find((m: any) => m.direction === 'inbound');
    const answered = (await ana.client.get(`/api/whatsapp/messages/${older.messageId}`)).body;
    expect(answered.repliedAt).toBe(reply.createdAt);
    const other = (await ana.client.get(`/api/whatsapp/messages/${latest.messageId}`)).body;
    expect(other.repliedAt).toBeNull();
    expect(reply.repliedAt).toBeNull();
  });

  it('is read inside an unflattened extendedTextMessage too', async () => {
    const phone = '+34644000002';
    const older = await appointmentWith(phone, { sentAgoMs: 2 * 3_600_000 });
    const latest = await appointmentWith(phone, { sentAgoMs: 60_000 });
    await clientQuotes(ana, phone, 'Sí', older.sentId, 'extendedText');
    await waitFor(
      () => appointmentRow(older.id),
      (a) => a.clientResponse === 'confirmed',
    );
    expect((await appointmentRow(latest.id)).clientResponse).toBeNull();
  });

  it("falls back to the latest reminder when the quoted id is another advisor's, or no reminder", async () => {
    const phone = '+34644000003';
    const older = await appointmentWith(phone, { sentAgoMs: 2 * 3_600_000 });
    const latest = await appointmentWith(phone, { sentAgoMs: 60_000 });
    const beas = await appointmentWith(phone, { sentAgoMs: 2 * 3_600_000 }, 'scheduled', bea);
    // Bea's reminder to the same client: its id must not reach Bea's appointment, nor stop Ana's answer.
    await clientQuotes(ana, phone, '2', beas.sentId);
    await waitFor(
      () => appointmentRow(latest.id),
      (a) => a.clientResponse === 'cancel_requested',
    );
    expect((await appointmentRow(older.id)).clientResponse).toBeNull();
    expect((await appointmentRow(beas.id)).clientResponse).toBeNull();

    // A quoted confirmation (it asks for no answer) and an id nobody sent: the latest, as before.
    const phone2 = '+34644000004';
    const confirmation = await appointmentWith(phone2, { purpose: 'confirmation', sentAgoMs: 30_000 });
    const reminder = await appointmentWith(phone2, { sentAgoMs: 3_600_000 });
    await clientQuotes(ana, phone2, '1', confirmation.sentId);
    await waitFor(
      () => appointmentRow(reminder.id),
      (a) => a.clientResponse === 'confirmed',
    );
    await new Promise((r) => setTimeout(r, 1_100)); // a later WhatsApp timestamp
    await clientQuotes(ana, phone2, '2', '3EB0NOBODYSENTTHIS');
    await waitFor(
      () => appointmentRow(reminder.id),
      (a) => a.clientResponse === 'cancel_requested',
    );
    expect((await appointmentRow(confirmation.id)).clientResponse).toBeNull();
  });

  it('records nothing when the quoted reminder is older than 7 days, rather than answer another', async () => {
    const phone = '+34644000005';
    const stale = await appointmentWith(phone, { sentAgoMs: 8 * 86_400_000 });
    const latest = await appointmentWith(phone, { sentAgoMs: 60_000 });
    await clientQuotes(ana, phone, '2', stale.sentId);
    await processed(phone, 1);
    expect((await appointmentRow(stale.id)).clientResponse).toBeNull();
    expect((await appointmentRow(latest.id)).clientResponse).toBeNull();
  });

  it('works with reminders the worker really sent (two bookings, the older one quoted)', async () => {
    const cai: BookingAdvisor = await bookingAdvisor(service, 'Cai', { reminderOffsetMinutes: 1 });
    // A one-minute offset: the reminders are due in about 2 and 4 seconds.
    const first = booking({ startsAt: inSeconds(62).toISOString() });
    const second = booking({ clientPhone: first.clientPhone, startsAt: inSeconds(64).toISOString() });
    const reminders = [];
    for (const body of [first, second]) {
      const res = await cai.api.post('/api/appointments', body);
      expect(res.status).toBe(201);
      reminders.push(onlyOne(res.body.messages, 'reminder'));
    }
    const sent = [];
    for (const r of reminders) sent.push(await waitForStatus(cai, r.id, ['sent', 'delivered', 'read']));
    expect(sent[0].evolutionMessageId).toEqual(expect.any(String));

    await clientQuotes(cai, first.clientPhone as string, '2', sent[0].evolutionMessageId);
    await waitFor(
      () => detail(cai, first.externalId),
      (a) => a.appointment.clientResponse === 'cancel_requested',
    );
    expect((await detail(cai, second.externalId)).appointment.clientResponse).toBeNull();
  });
});

describe('what is not an answer', () => {
  it('changes nothing for a reminder older than 7 days, a non-reminder, a cancelled appointment or another phone', async () => {
    const stale = await appointmentWith('+34643000001', { sentAgoMs: 8 * 86_400_000 });
    const confirmation = await appointmentWith('+34643000002', { purpose: 'confirmation' });
    const cancelled = await appointmentWith('+34643000003', {}, 'cancelled');
    const scheduled = await appointmentWith('+34643000004', { status: 'scheduled' });
    const other = await appointmentWith('+34643000005');
    for (const phone of ['+34643000001', '+34643000002', '+34643000003', '+34643000004', '+34643000099']) {
      await clientWrites(phone, '1');
    }
    await clientWrites('+34643000005', 'sí, pero llego tarde');
    for (const phone of ['+34643000001', '+34643000002', '+34643000003', '+34643000004', '+34643000005']) {
      await processed(phone, 1);
    }
    for (const appt of [stale, confirmation, cancelled, scheduled, other]) {
      expect((await appointmentRow(appt.id)).clientResponse).toBeNull();
    }
  });
});
