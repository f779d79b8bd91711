// Many HTTP clients send `Content-Type: application/json` on every request, with or without a
// body. An empty body is no body: a route whose body is optional takes it, a route that needs one
// answers its usual validation error (400 invalid_request naming the body), never invalid_json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
let client: HttpClient;
beforeAll(async () => {
  service = await startTestService();
  client = (await signUpAdvisor(service.url)).client;
});
afterAll(async () => {
  await service?.close();
});

const JSON_TYPE = { 'content-type': 'application/json' };
const emptyPost = (path: string) => client.request('POST', path, '', JSON_TYPE);

describe('an empty body with a JSON content type', () => {
  it('is accepted where the body is optional: connect, cancel, preview, disconnect', async () => {
    const connect = await emptyPost('/api/whatsapp/connect');
    expect(connect.status, JSON.stringify(connect.body)).toBe(200);
    expect(connect.body.status).toBe('qr_pending');

    const booked = await client.post('/api/appointments', {
      externalId: 'empty-body-1',
      clientName: 'Lucía',
      clientPhone: '+34612345678',
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(booked.status).toBe(201);
    const cancel = await emptyPost('/api/appointments/empty-body-1/cancel');
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancel.body.appointment.status).toBe('cancelled');

    const preview = await emptyPost(
      `/api/whatsapp/templates/${encodeURIComponent('builtin:appointment_reminder:es')}/preview`,
    );
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.missing).toContain('nombre_cliente');

    const disconnect = await emptyPost('/api/whatsapp/disconnect');
    expect(disconnect.status, JSON.stringify(disconnect.body)).toBe(200);
  });

  it('is no body on better-auth’s routes too: signing out works', async () => {
    const other = (await signUpAdvisor(service.url, 'Other')).client;
    const out = await other.request('POST', '/api/auth/sign-out', '', JSON_TYPE);
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect((await other.get('/api/whatsapp/config')).status).toBe(401);
  });

  it('gets the usual validation error where a body is required, not invalid_json', async () => {
    for (const [method, path] of [
      ['POST', '/api/appointments'],
      ['POST', '/api/whatsapp/send'],
      ['PUT', '/api/whatsapp/config'],
      ['POST', '/api/api-keys'],
    ] as const) {
      const res = await client.request(method, path, '', JSON_TYPE);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.code, `${method} ${path}`).toBe('invalid_request');
      expect(res.body.error.details.fields, `${method} ${path}`).toEqual([
        { field: 'body', message: expect.any(String) },
      ]);
    }
  });

  it('is still invalid_json when it is only whitespace or broken', async () => {
    for (const body of [' ', '{']) {
      const res = await client.request('POST', '/api/whatsapp/connect', body, JSON_TYPE);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_json');
    }
  });
});

// Found by review: Fastify's guard against prototype poisoning refuses such a body, rightly, but
// the answer said the JSON was not valid, sending the caller to look for a syntax error.
describe('a JSON body with a __proto__ or constructor.prototype key', () => {
  it('is 400 invalid_request naming the key, not "not valid JSON"', async () => {
    for (const [body, field] of [
      ['{"to":"+34612345678","text":"Hola","__proto__":{"admin":true}}', '__proto__'],
      ['{"to":"+34612345678","text":"Hola","constructor":{"prototype":{"x":1}}}', 'constructor.prototype'],
    ] as const) {
      const res = await client.request('POST', '/api/whatsapp/send', body, JSON_TYPE);
      expect(res.status, body).toBe(400);
      expect(res.body.error.code, body).toBe('invalid_request');
      expect(res.body.error.details.fields, body).toEqual([{ field, message: expect.any(String) }]);
    }
    // A "constructor" key without "prototype" is an ordinary key.
    const plain = await client.request(
      'POST',
      '/api/whatsapp/send',
      '{"to":"+34612345678","text":"Hola","constructor":"x"}',
      JSON_TYPE,
    );
    expect(plain.body.error?.code).not.toBe('invalid_json');
  });
});
