// The booking module cancels or moves an appointment while an admin has the advisor's `reminders`
// switched off. Both used to be refused (403 feature_disabled) like every appointment route: the
// reminder and follow-up already scheduled stayed `scheduled`, and once the feature was switched
// back on they went out for an appointment the client had cancelled, or at the old time. A cancel
// or reschedule is accepted now: it only takes back or moves what was already promised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../support/http.js';
import { type TestService } from '../support/service.js';
import { startServiceWithAdmin } from '../support/admin.js';
import {
  booking,
  bookingAdvisor,
  byPurpose,
  inSeconds,
  messageStatus,
  onlyOne,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let admin: HttpClient;
let ana: BookingAdvisor;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin());
  ana = await bookingAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const reminders = async (on: boolean) =>
  expect((await admin.put(`/api/admin/advisors/${ana.userId}/features`, { reminders: on })).status).toBe(200);

describe('with reminders switched off', () => {
  it('a cancel is accepted and takes back the scheduled messages, so none fires once switched on', async () => {
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    expect(booked.status).toBe(201);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    const followUp = onlyOne(booked.body.messages, 'follow_up');
    await reminders(false);
    try {
      const res = await ana.api.post(`/api/appointments/${encodeURIComponent(body.externalId)}/cancel`);
      expect(res.status).toBe(200);
      expect(res.body.appointment.status).toBe('cancelled');
    } finally {
      await reminders(true);
    }
    for (const id of [reminder.id, followUp.id]) {
      expect(await messageStatus(ana, id)).toMatchObject({
        status: 'cancelled',
        error: { code: 'appointment_cancelled' },
      });
    }
  });

  it('a reschedule is accepted and the old reminder never fires', async () => {
    const body = booking();
    const booked = await ana.api.post('/api/appointments', body);
    const oldReminder = onlyOne(booked.body.messages, 'reminder');
    await reminders(false);
    let moved;
    try {
      moved = await ana.api.patch(`/api/appointments/${encodeURIComponent(body.externalId)}`, {
        startsAt: inSeconds(5 * 86_400).toISOString(),
      });
      expect(moved.status).toBe(200);
    } finally {
      await reminders(true);
    }
    expect((await messageStatus(ana, oldReminder.id)).status).toBe('cancelled');
    const newReminders = byPurpose(moved.body.messages, 'reminder').filter(
      (m: { id: string; status: string }) => m.id !== oldReminder.id && m.status === 'scheduled',
    );
    expect(newReminders).toHaveLength(1);
  });

  it('a booking, a read and a manual send are still refused', async () => {
    const body = booking();
    expect((await ana.api.post('/api/appointments', body)).status).toBe(201);
    await reminders(false);
    try {
      const path = `/api/appointments/${encodeURIComponent(body.externalId)}`;
      for (const res of [
        await ana.api.post('/api/appointments', booking()),
        await ana.api.get(path),
        await ana.api.post(`${path}/send`, { kind: 'reminder' }),
      ]) {
        expect([res.status, res.body.error?.code]).toEqual([403, 'feature_disabled']);
      }
    } finally {
      await reminders(true);
    }
  });
});
