// How GET /api/whatsapp/messages reads its query string. API.md spells the history's URL with
// every filter empty (`?status=&direction=&phone=…&limit=`), and form-driven clients send unset
// filters that way; an empty parameter is no filter. A status the service never gives a message is
// a mistake to answer as one (400), not an empty page that reads as "no such messages".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANT_FORMAT_MESSAGE, INSTANT_NO_OFFSET_MESSAGE } from '../../src/api/schemas/instant.schema.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
let client: Awaited<ReturnType<typeof signUpAdvisor>>['client'];
let ids: string[];
beforeAll(async () => {
  // No gateway to reach: the messages stay queued, which is all the history needs.
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused' },
  });
  ({ client } = await signUpAdvisor(service.url, 'Ana'));
  ids = [];
  for (const to of ['+34612000701', '+34612000702']) {
    const res = await client.post('/api/whatsapp/send', { to, text: `Hola ${to}` });
    expect(res.status).toBe(202);
    ids.unshift(res.body.message.id); // newest first
  }
});
afterAll(async () => {
  await service?.close();
});

describe('empty query parameters', () => {
  it('the URL API.md writes, every filter empty, lists the whole history', async () => {
    const res = await client.get(
      '/api/whatsapp/messages?status=&direction=&phone=&templateKey=&since=&until=&cursor=&limit=',
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: { id: string }) => m.id)).toEqual(ids);
    expect(res.body.nextCursor).toBeNull();
  });

  it.each(['direction', 'since', 'until', 'limit', 'appointmentId'])(
    'an empty %s is no filter',
    async (name) => {
      const res = await client.get(`/api/whatsapp/messages?${name}=`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(ids.length);
    },
  );

  it('an empty limit is the default one, with the other filters still applied', async () => {
    const res = await client.get('/api/whatsapp/messages?limit=&phone=%2B34612000701&since=');
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: { phone: string }) => m.phone)).toEqual(['+34612000701']);
  });

  it('other lists read an empty parameter as absent too', async () => {
    for (const path of [
      '/api/whatsapp/conversations?cursor=&limit=',
      '/api/whatsapp/audit?cursor=&limit=',
      '/api/whatsapp/metrics?since=&until=',
    ]) {
      const res = await client.get(path);
      expect(res.status, path).toBe(200);
    }
  });

  it('a value that is given is still checked', async () => {
    const res = await client.get('/api/whatsapp/messages?direction=sideways&limit=');
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['direction']);
  });
});

describe('the status filter', () => {
  it('a status no message can have is a 400 naming the field', async () => {
    const res = await client.get('/api/whatsapp/messages?status=delivred');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['status']);
  });

  it.each(['queued', 'skipped', 'cancelled', 'received'])('%s is a status it filters by', async (status) => {
    const res = await client.get(`/api/whatsapp/messages?status=${status}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(status === 'queued' ? ids.length : 0);
  });
});

describe('instants in the query string', () => {
  // A "+" in a query string is a space once decoded (form encoding): `?since=…T09:00:00+02:00`
  // written into a URL by hand, as a booking module that formats a time with its offset does,
  // arrives as `…T09:00:00 02:00`. It was a 400 "Invalid ISO datetime" that also said the year
  // must be between 0001 and 9999.
  const past = (offset: string) => `2020-01-01T09:00:00${offset}`;
  const future = (offset: string) => `2999-01-01T09:00:00${offset}`;

  it('reads a "+" offset that arrived as a space, on every list that takes a range', async () => {
    for (const path of [
      `/api/whatsapp/messages?since=${past('+02:00')}&until=${future('+02:00')}`,
      `/api/appointments?from=${past('+02:00')}&to=${future('+02:00')}`,
      `/api/whatsapp/metrics?until=${past('+02:00').replace('2020', '2021')}&since=${past('+02:00')}`,
    ]) {
      const res = await client.get(path);
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
    }
    const res = await client.get(`/api/whatsapp/messages?since=${past('+02:00')}`);
    expect(res.body.items.map((m: { id: string }) => m.id)).toEqual(ids);
    const none = await client.get(`/api/whatsapp/messages?since=${future('+02:00')}`);
    expect(none.body.items).toEqual([]);
  });

  it('means the same instant as the encoded "+"', async () => {
    const sent = (await client.get(`/api/whatsapp/messages/${ids[0]}`)).body.createdAt as string;
    // The newest message's own instant, written at +01:00: `since` includes it, `until` does not.
    const at = new Date(new Date(sent).getTime() + 3_600_000).toISOString().replace('Z', '+01:00');
    const raw = await client.get(`/api/whatsapp/messages?since=${at}`);
    const encoded = await client.get(`/api/whatsapp/messages?since=${encodeURIComponent(at)}`);
    expect(raw.status).toBe(200);
    expect(raw.body.items.map((m: { id: string }) => m.id)).toEqual([ids[0]]);
    expect(raw.body.items).toEqual(encoded.body.items);
    const before = await client.get(`/api/whatsapp/messages?until=${at}`);
    expect(before.body.items.map((m: { id: string }) => m.id)).toEqual(ids.slice(1));
  });

  it('takes an instant that stops at the minutes, in a body and in a query', async () => {
    // ISO 8601 allows `…T09:00+01:00`, and Java's OffsetDateTime.toString() writes it so when the
    // seconds are zero: a booking module's reminder on the hour was a 400 "Invalid ISO datetime".
    const at = `${new Date().getUTCFullYear() + 1}-03-02T09:00+01:00`;
    const sent = await client.post('/api/whatsapp/send', {
      to: '+34612000703',
      text: 'Hola',
      scheduledAt: at,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body.message.status).toBe('scheduled');
    expect(sent.body.message.scheduledAt).toBe(new Date(at).toISOString());
    const booked = await client.post('/api/appointments', {
      externalId: 'minutes-only-1',
      clientName: 'Marta',
      clientPhone: '+34612000704',
      startsAt: at,
      endsAt: at.replace('T09:00', 'T10:00'),
      timezone: 'Europe/Madrid',
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body.appointment.startsAt).toBe(new Date(at).toISOString());
    const since = await client.get(`/api/whatsapp/messages?since=${past('+02:00').replace(':00+', '+')}`);
    expect(since.status, JSON.stringify(since.body)).toBe(200);
    expect(since.body.items.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(ids));
  });

  it('still refuses a malformed instant, with one message that says why', async () => {
    for (const [value, message] of [
      ['yesterday', INSTANT_FORMAT_MESSAGE],
      ['2026-01-01 09:00:00 02:00', INSTANT_FORMAT_MESSAGE],
      ['2026-01-01T09:00:00', INSTANT_NO_OFFSET_MESSAGE],
    ]) {
      const res = await client.get(`/api/whatsapp/messages?since=${encodeURIComponent(value!)}`);
      expect(res.status, value).toBe(400);
      expect(res.body.error.details.fields, value).toEqual([{ field: 'since', message }]);
    }
  });
});
