// "Responde 1 para confirmar… responde 2…": a client's answer to the latest reminder (sent
// within 7 days) marks that appointment confirmed or cancel_requested, and the dashboard hears it.
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

let service: TestService;
let emulator: HttpClient;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
  ana = await connectedAdvisor(service, 'Ana');
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
) {
  const [row] = await db()
    .insert(appointment)
    .values({
      advisorId: ana.userId,
      externalId: `ext-${n++}-${randomUUID()}`,
      clientName: 'Cliente',
      clientPhone: phone,
      startsAt: new Date(Date.now() + 86_400_000),
      timezone: 'Europe/Madrid',
      status,
    })
    .returning();
  const sentAt = new Date(Date.now() - (message.sentAgoMs ?? 3_600_000));
  await insertMessage(db(), ana.userId, {
    direction: 'outbound',
    phone,
    type: 'text',
    text: 'Responde 1 para confirmar o 2 para cancelar.',
    purpose: message.purpose ?? 'reminder',
    appointmentId: row!.id,
    status: message.status ?? 'delivered',
    createdAt: sentAt,
    sentAt,
  });
  return row!;
}

const appointmentRow = async (id: string) =>
  (await db().select().from(appointment).where(eq(appointment.id, id)))[0]!;

async function clientWrites(from: string, text: string) {
  expect(
    (await emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, { from, text })).status,
  ).toBe(201);
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
