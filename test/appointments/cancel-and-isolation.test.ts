// Cancelling removes what is still waiting (and the worker would refuse it anyway); repeats
// change nothing. Another advisor can neither see nor touch an appointment: 404 everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import {
  booking,
  bookingAdvisor,
  byPurpose,
  detail,
  inSeconds,
  jobExists,
  onlyOne,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
let bea: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await bookingAdvisor(service, 'Ana', { reminderOffsetMinutes: 1 });
  bea = await bookingAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const cancel = (advisor: BookingAdvisor, externalId: string) =>
  advisor.api.post(`/api/appointments/${encodeURIComponent(externalId)}/cancel`);

describe('cancelling', () => {
  it('cancels the pending reminder and follow-up, drops their jobs, and nothing fires', async () => {
    // The reminder is due in 30 s: the cancel must come first even on a busy machine (at 3 s it
    // sometimes went out before the cancel); nothing below waits for that time.
    const body = booking({ startsAt: inSeconds(60 + 30).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    const followUp = onlyOne(booked.body.messages, 'follow_up');
    await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, ['sent', 'delivered', 'read']);

    const res = await cancel(ana, body.externalId);
    expect(res.status).toBe(200);
    expect(res.body.appointment.status).toBe('cancelled');
    for (const id of [reminder.id, followUp.id]) {
      expect(res.body.messages.find((m: any) => m.id === id)).toMatchObject({
        status: 'cancelled',
        error: { code: 'appointment_cancelled' },
      });
      expect(await jobExists(service, id)).toBe(false);
    }
    // Even a job that survived in Redis is refused: here the old reminder is handed back, due now.
    await service.runtime.messages.enqueue({ id: reminder.id, advisorId: ana.userId, scheduledAt: null });
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await textsTo(ana, body.clientPhone)).filter((t) => t.includes('recuerdo'))).toHaveLength(0);
  });

  it('changes nothing more when repeated, and refuses changes or sends afterwards', async () => {
    const body = booking();
    await ana.api.post('/api/appointments', body);
    const first = await cancel(ana, body.externalId);
    const again = await cancel(ana, body.externalId);
    expect(again.status).toBe(200);
    expect(again.body.appointment).toEqual(first.body.appointment);
    // The confirmation may meanwhile move on through its receipts; the rest must stay as cancelled.
    const planned = (res: { body: { messages: any[] } }) =>
      res.body.messages
        .filter((m) => m.purpose !== 'confirmation')
        .map((m) => [m.id, m.status, m.error?.code ?? null]);
    expect(planned(again)).toEqual(planned(first));
    expect(planned(first).length).toBeGreaterThan(0);

    const reschedule = await ana.api.patch(`/api/appointments/${body.externalId}`, { address: 'x' });
    expect([reschedule.status, reschedule.body.error.code]).toEqual([409, 'state_conflict']);
    const send = await ana.client.post(`/api/appointments/${body.externalId}/send`, { kind: 'reminder' });
    expect([send.status, send.body.error.code]).toEqual([409, 'state_conflict']);
    // The same booking repeated still answers the (cancelled) appointment, without planning anything.
    const repeat = await ana.api.post('/api/appointments', body);
    expect(repeat.status).toBe(201);
    expect(repeat.body.appointment.status).toBe('cancelled');
    expect(repeat.body.messages).toHaveLength(first.body.messages.length);
  });

  it('finds an appointment booked with spaces around its externalId by that same externalId', async () => {
    // The booking trims the externalId it stores; its reads, changes and cancel by the id the
    // caller booked with used to answer 404, so the cancelled appointment's reminder still went out.
    const body = booking({ externalId: ` ${booking().externalId} ` });
    const booked = await ana.api.post('/api/appointments', body);
    expect(booked.body.appointment.externalId).toBe(body.externalId.trim());
    const path = `/api/appointments/${encodeURIComponent(body.externalId)}`;
    expect((await ana.api.get(path)).status).toBe(200);
    expect((await ana.api.patch(path, { address: 'Calle Luna 3' })).status).toBe(200);
    const res = await ana.api.post(`${path}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.appointment.status).toBe('cancelled');
    expect(byPurpose(res.body.messages, 'reminder').map((m: any) => m.status)).not.toContain('scheduled');
  });

  it('answers 404 for an unknown appointment', async () => {
    expect((await cancel(ana, 'missing')).status).toBe(404);
  });
});

describe('tenant isolation', () => {
  it("another advisor cannot read, list, reschedule, cancel or send Ana's appointment", async () => {
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    const path = `/api/appointments/${encodeURIComponent(body.externalId)}`;
    const attempts = [
      await bea.api.get(path),
      await bea.client.get(path),
      await bea.api.patch(path, { startsAt: inSeconds(9 * 86_400).toISOString() }),
      await bea.api.post(`${path}/cancel`),
      await bea.client.post(`${path}/send`, { kind: 'reminder' }),
      await bea.client.post(`${path}/send`, { kind: 'follow_up', message: 'hola' }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const list = await bea.client.get(
      `/api/appointments?from=${encodeURIComponent(new Date(0).toISOString())}`,
    );
    expect(list.body.items.map((a: any) => a.id)).not.toContain(booked.body.appointment.id);

    // Ana's appointment is untouched.
    const mine = await detail(ana, body.externalId);
    expect(mine.appointment).toMatchObject({ status: 'scheduled', version: 1, startsAt: body.startsAt });
    expect(mine.messages.filter((m: any) => m.status === 'cancelled')).toHaveLength(0);
  });

  it('lets each advisor use the same externalId for their own appointment', async () => {
    const body = booking();
    const a = await ana.api.post('/api/appointments', body);
    const b = await bea.api.post('/api/appointments', {
      ...body,
      startsAt: inSeconds(6 * 86_400).toISOString(),
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.appointment.id).not.toBe(a.body.appointment.id);
    expect((await detail(ana, body.externalId)).appointment.startsAt).toBe(body.startsAt);
  });
});
