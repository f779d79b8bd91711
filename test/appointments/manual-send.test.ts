// POST /api/appointments/:externalId/send, the dashboard's "send now" and "send follow-up with a
// personal message": it goes out at once, replaces the planned message of the same kind, shows in
// the timeline as sent by hand, and a repeat with the same Idempotency-Key sends nothing twice.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import {
  booking,
  bookingAdvisor,
  detail,
  inSeconds,
  onlyOne,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await bookingAdvisor(service, 'Ana López');
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const sendPath = (externalId: string) => `/api/appointments/${encodeURIComponent(externalId)}/send`;
const book = async (over: Record<string, unknown> = {}) => {
  const body = booking(over);
  const res = await ana.api.post('/api/appointments', body);
  expect(res.status).toBe(201);
  await waitForStatus(ana, onlyOne(res.body.messages, 'confirmation').id, SENT);
  return { body, messages: res.body.messages as any[], appointmentId: res.body.appointment.id as string };
};
const rowsOf = async (appointmentId: string, purpose: string) =>
  (
    await service.database.db
      .select({ n: count() })
      .from(whatsappMessage)
      .where(and(eq(whatsappMessage.appointmentId, appointmentId), eq(whatsappMessage.purpose, purpose)))
  )[0]!.n;

describe('sending an appointment message by hand', () => {
  it('sends the reminder now and cancels the planned one, and the timeline says so', async () => {
    const { body, messages } = await book();
    const planned = onlyOne(messages, 'reminder');
    const res = await ana.client.post(sendPath(body.externalId), { kind: 'reminder' });
    expect(res.status).toBe(202);
    expect(res.body.message).toMatchObject({
      purpose: 'reminder',
      templateKey: 'appointment_reminder',
      source: 'dashboard',
      scheduledAt: null,
    });
    await waitForStatus(ana, res.body.message.id, SENT);
    const texts = await textsTo(ana, body.clientPhone);
    expect(texts.filter((t) => t.includes('recuerdo'))).toHaveLength(1);

    const after = await detail(ana, body.externalId);
    const byId = new Map(after.messages.map((m: any) => [m.id, m]));
    expect(byId.get(planned.id)).toMatchObject({
      status: 'cancelled',
      error: { code: 'replaced_by_manual_send' },
    });
    const byHand = after.timeline.filter((e: any) => e.type === 'sent_by_hand');
    expect(byHand).toHaveLength(1);
    expect(byHand[0].detail).toMatchObject({ actor: 'advisor', kind: 'reminder', replaced: [planned.id] });
    const types = after.timeline
      .filter((e: any) => e.messageId === res.body.message.id)
      .map((e: any) => e.type);
    expect(types.slice(0, 2)).toEqual(['planned', 'sent']);
  });

  it("sends a follow-up with the advisor's own words in {mensaje_personalizado}", async () => {
    const { body, messages } = await book();
    const planned = onlyOne(messages, 'follow_up');
    const note = 'Recuerda beber agua y anotar cómo duermes esta semana.';
    const res = await ana.client.post(sendPath(body.externalId), { kind: 'follow_up', message: note });
    expect(res.status).toBe(202);
    expect(res.body.message).toMatchObject({ purpose: 'follow_up', templateKey: 'follow_up' });
    expect(res.body.message.text).toContain(note);
    expect(res.body.message.text).toContain('Hola, Marta.');
    expect(res.body.message.text).toContain('Ana López');
    await waitForStatus(ana, res.body.message.id, SENT);
    expect((await textsTo(ana, body.clientPhone)).at(-1)).toContain(note);
    // The planned follow-up (with the default words) will not go out as well.
    const after = await detail(ana, body.externalId);
    expect(after.messages.find((m: any) => m.id === planned.id)).toMatchObject({ status: 'cancelled' });
  });

  it('refuses a personal message with any other kind: 422, nothing written', async () => {
    const { body, appointmentId } = await book();
    for (const kind of ['reminder', 'confirmation']) {
      const res = await ana.client.post(sendPath(body.externalId), { kind, message: 'Hola' });
      expect([res.status, res.body.error.code]).toEqual([422, 'validation_failed']);
      expect(res.body.error.details.fields).toEqual([
        { field: 'message', message: 'only allowed when kind is follow_up' },
      ]);
    }
    expect(await rowsOf(appointmentId, 'reminder')).toBe(1);
    expect(await rowsOf(appointmentId, 'confirmation')).toBe(1);
  });

  it('refuses a reminder or confirmation once the appointment has started (409), not a follow-up', async () => {
    // A reminder after the start is pointless, and the send-time check would skip it anyway
    // (`appointment_started`); a follow-up is what comes after the session.
    const startsAt = inSeconds(2);
    const { body, appointmentId } = await book({ startsAt: startsAt.toISOString() });
    await new Promise((r) => setTimeout(r, Math.max(0, startsAt.getTime() - Date.now() + 200)));
    for (const kind of ['reminder', 'confirmation']) {
      const res = await ana.client.post(sendPath(body.externalId), { kind });
      expect([res.status, res.body.error.code]).toEqual([409, 'state_conflict']);
      expect(res.body.error.message).toContain('already started');
    }
    expect(await rowsOf(appointmentId, 'reminder')).toBe(1);
    const followUp = await ana.client.post(sendPath(body.externalId), {
      kind: 'follow_up',
      message: 'Gracias',
    });
    expect(followUp.status).toBe(202);
    await waitForStatus(ana, followUp.body.message.id, SENT);
  });

  it('answers a repeat with the same Idempotency-Key with the same message even once the appointment has started', async () => {
    const startsAt = inSeconds(3);
    const { body } = await book({ startsAt: startsAt.toISOString() });
    const headers = { 'idempotency-key': `late-${body.externalId}` };
    const first = await ana.client.post(sendPath(body.externalId), { kind: 'reminder' }, headers);
    expect(first.status).toBe(202);
    await new Promise((r) => setTimeout(r, Math.max(0, startsAt.getTime() - Date.now() + 200)));
    // A retry of that same call (its answer was lost): the state has moved on, the answer has not.
    const again = await ana.client.post(sendPath(body.externalId), { kind: 'reminder' }, headers);
    expect([again.status, again.body.message?.id]).toEqual([202, first.body.message.id]);
    // A new call, without the key, is refused.
    const fresh = await ana.client.post(sendPath(body.externalId), { kind: 'reminder' });
    expect([fresh.status, fresh.body.error.code]).toEqual([409, 'state_conflict']);
  });

  it('answers a repeat with the same Idempotency-Key with the same message after the appointment changed', async () => {
    const { body, appointmentId } = await book();
    const headers = { 'idempotency-key': `moved-${body.externalId}` };
    const first = await ana.client.post(sendPath(body.externalId), { kind: 'reminder' }, headers);
    expect(first.status).toBe(202);
    const moved = await ana.api.patch(`/api/appointments/${encodeURIComponent(body.externalId)}`, {
      startsAt: inSeconds(6 * 86_400).toISOString(),
      address: 'Calle Luna 3',
    });
    expect(moved.status).toBe(200);
    // A retry of the same call: the same body and key, though the message it wrote named the old time.
    const again = await ana.client.post(sendPath(body.externalId), { kind: 'reminder' }, headers);
    expect([again.status, again.body.message?.id]).toEqual([202, first.body.message.id]);
    // Another body with that key is still refused.
    const other = await ana.client.post(sendPath(body.externalId), { kind: 'confirmation' }, headers);
    expect([other.status, other.body.error.code]).toEqual([409, 'idempotency_conflict']);
    const byHand = await service.database.db
      .select({ n: count() })
      .from(whatsappMessage)
      .where(and(eq(whatsappMessage.appointmentId, appointmentId), eq(whatsappMessage.source, 'dashboard')));
    expect(byHand[0]!.n).toBe(1);
  });

  it('answers a repeat with the same Idempotency-Key with the same message and sends it once', async () => {
    const { body, appointmentId } = await book();
    const headers = { 'idempotency-key': `manual-${body.externalId}` };
    const request = { kind: 'follow_up', message: 'Un abrazo y hasta pronto.' };
    const first = await ana.client.post(sendPath(body.externalId), request, headers);
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await Promise.all([
      ana.client.post(sendPath(body.externalId), request, headers),
      ana.client.post(sendPath(body.externalId), request, headers),
    ]);
    for (const res of again) {
      expect(res.status).toBe(202);
      expect(res.body.message.id).toBe(first.body.message.id);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
    }
    await waitForStatus(ana, first.body.message.id, SENT);
    await new Promise((r) => setTimeout(r, 300));
    const texts = await textsTo(ana, body.clientPhone);
    expect(texts.filter((t) => t.includes('Un abrazo y hasta pronto.'))).toHaveLength(1);
    // The planned follow-up (cancelled) and the one sent by hand: no third row.
    expect(await rowsOf(appointmentId, 'follow_up')).toBe(2);
    const byHand = (await detail(ana, body.externalId)).timeline.filter(
      (e: any) => e.type === 'sent_by_hand',
    );
    expect(byHand).toHaveLength(1);

    // The same key with another body is refused, not sent.
    const other = await ana.client.post(
      sendPath(body.externalId),
      { ...request, message: 'Otro texto' },
      headers,
    );
    expect([other.status, other.body.error.code]).toEqual([409, 'idempotency_conflict']);
    expect(await rowsOf(appointmentId, 'follow_up')).toBe(2);
  });
});
