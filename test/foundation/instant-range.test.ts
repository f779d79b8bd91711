// Every instant the API takes (filters, appointment times, scheduledAt) is an ISO 8601 string with
// an offset. zod accepts years 0000 to 9999 with any offset; PostgreSQL stores years 1 to 9999 in
// UTC only. Outside that range a value reached SQL and the caller got a 500: it is now the 400 of
// any malformed input, and nothing is stored.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointment } from '../../src/db/schema/index.js';
import { booking, bookingAdvisor, inSeconds, type BookingAdvisor } from '../appointments/support.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await bookingAdvisor(service, 'Ana Fechas');
});
afterAll(async () => {
  await service?.close();
});

// Year 0, year 10000 once the offset is applied, and year 0 after a positive offset.
const OUT_OF_RANGE = ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '0001-01-01T00:00:00+01:00'];

async function expectRefused(res: { status: number; body: any }, what: string) {
  expect([res.status, res.body?.error?.code], what).toEqual([400, 'invalid_request']);
}

describe('instants outside what the database can store', () => {
  it('are refused as filters of the message history, the metrics and the appointment list', async () => {
    for (const at of OUT_OF_RANGE) {
      const q = encodeURIComponent(at);
      await expectRefused(await ana.api.get(`/api/whatsapp/messages?since=${q}`), `messages since ${at}`);
      await expectRefused(await ana.api.get(`/api/whatsapp/messages?until=${q}`), `messages until ${at}`);
      await expectRefused(await ana.api.get(`/api/whatsapp/metrics?since=${q}`), `metrics since ${at}`);
      await expectRefused(await ana.api.get(`/api/appointments?from=${q}`), `appointments from ${at}`);
      await expectRefused(await ana.api.get(`/api/appointments?to=${q}`), `appointments to ${at}`);
    }
  });

  it('are refused as appointment times, and nothing is booked', async () => {
    for (const at of OUT_OF_RANGE) {
      for (const field of ['startsAt', 'endsAt']) {
        const body = booking({ [field]: at });
        await expectRefused(await ana.api.post('/api/appointments', body), `${field} ${at}`);
        const [row] = await service.database.db
          .select({ n: count() })
          .from(appointment)
          .where(eq(appointment.externalId, body.externalId));
        expect(row!.n).toBe(0);
      }
    }
  });

  it('are refused on a reschedule, which leaves the appointment as it was', async () => {
    const body = booking();
    expect((await ana.api.post('/api/appointments', body)).status).toBe(201);
    for (const at of OUT_OF_RANGE) {
      await expectRefused(
        await ana.api.patch(`/api/appointments/${body.externalId}`, { endsAt: at }),
        `reschedule endsAt ${at}`,
      );
    }
    const after = await ana.api.get(`/api/appointments/${body.externalId}`);
    expect(after.body.appointment.startsAt).toBe(body.startsAt);
    expect(after.body.appointment.endsAt).toBeNull();
  });

  it('are refused as scheduledAt of a send', async () => {
    for (const at of OUT_OF_RANGE) {
      await expectRefused(
        await ana.api.post('/api/whatsapp/send', { to: '+34612345678', text: 'hola', scheduledAt: at }),
        `scheduledAt ${at}`,
      );
    }
  });

  it('the first and last storable instants are still taken as filters', async () => {
    const first = encodeURIComponent('0001-01-01T00:00:00Z');
    const last = encodeURIComponent('9999-12-31T23:59:59Z');
    const res = await ana.api.get(`/api/whatsapp/messages?since=${first}&until=${last}`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.items)).toBe(true);
    const later = encodeURIComponent(inSeconds(60).toISOString());
    expect((await ana.api.get(`/api/appointments?from=${first}&to=${later}`)).status).toBe(200);
  });
});
