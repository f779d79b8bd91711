import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { logSink } from '../support/logs.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
let client: HttpClient;
beforeAll(async () => {
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused', HTTP_BODY_LIMIT: '2048' },
  });
  client = (await signUpAdvisor(service.url)).client;
});
afterAll(async () => {
  await service?.close();
});

describe('the error body and status table', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await client.request('POST', '/api/api-keys', '{"name": ', {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String), details: {} } });
  });

  // Found by review: the body was decoded as UTF-8 with every invalid byte replaced by U+FFFD, so
  // a caller writing Latin-1 (a booking module's default charset) had "José" stored and sent to
  // the client as "Jos�", answered 201/202 as if nothing were wrong.
  it('answers a body that is not UTF-8 with 400 invalid_json and writes nothing', async () => {
    const latin1 = (json: string) => Buffer.from(json, 'latin1');
    const post = (path: string, body: Buffer, contentType: string) =>
      fetch(service.url + path, {
        method: 'POST',
        headers: { cookie: client.cookieHeader(), origin: service.url, 'content-type': contentType },
        body: new Uint8Array(body),
      });
    const template = latin1(
      '{"key":"latin1_body","name":"José","category":"custom","language":"es","body":"Hola, soy José"}',
    );
    const send = latin1('{"to":"+34612345678","text":"Hola, soy José"}');
    for (const contentType of ['application/json', 'application/json; charset=iso-8859-1']) {
      for (const [path, body] of [
        ['/api/whatsapp/templates', template],
        ['/api/whatsapp/send', send],
      ] as const) {
        const res = await post(path, body, contentType);
        const text = await res.text();
        expect(res.status, `${contentType} ${path}: ${text}`).toBe(400);
        expect(JSON.parse(text)).toEqual({
          error: { code: 'invalid_json', message: expect.stringContaining('UTF-8'), details: {} },
        });
      }
    }
    const templates = await client.get('/api/whatsapp/templates');
    expect(templates.body.items.map((t: { key: string }) => t.key)).not.toContain('latin1_body');
    expect((await client.get('/api/whatsapp/messages')).body.items).toEqual([]);
    // The same words in UTF-8 are taken.
    const utf8 = await client.post('/api/whatsapp/templates', JSON.parse(template.toString('latin1')));
    expect(utf8.status, JSON.stringify(utf8.body)).toBe(201);
    expect(utf8.body.name).toBe('José');
  });

  it('answers a compressed body with 415 naming its encoding, not as JSON that is not UTF-8', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await fetch(service.url + '/api/whatsapp/send', {
      method: 'POST',
      headers: {
        cookie: client.cookieHeader(),
        origin: service.url,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: new Uint8Array(gzipSync(JSON.stringify({ to: '+34612345678', text: 'hola' }))),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      error: {
        code: 'unsupported_media_type',
        message: expect.stringContaining('gzip'),
        details: { contentEncoding: 'gzip' },
      },
    });
    // "identity" is no encoding at all.
    const plain = await client.request('POST', '/api/api-keys', JSON.stringify({ name: 'identity' }), {
      'content-type': 'application/json',
      'content-encoding': 'identity',
    });
    expect(plain.status, JSON.stringify(plain.body)).toBe(201);
  });

  it('names each failing field on schema errors', async () => {
    const res = await client.post('/api/api-keys', { name: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details.fields).toEqual([{ field: 'name', message: expect.any(String) }]);
  });

  it('answers unknown routes with 404 in the error body', async () => {
    const res = await client.get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
  });

  it('answers bodies over the limit with 413', async () => {
    const res = await client.post('/api/api-keys', { name: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await client.request('POST', '/api/api-keys', 'name=x', { 'content-type': 'text/xml' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers a text/plain body with 415, on our routes and on better-auth’s', async () => {
    const send = await client.request('POST', '/api/whatsapp/send', '{"to":"+34612345678","text":"x"}', {
      'content-type': 'text/plain',
    });
    expect(send.status).toBe(415);
    expect(send.body.error.code).toBe('unsupported_media_type');
    const signUp = await client.request('POST', '/api/auth/sign-up/email', '{"email":"a@b.c"}', {
      'content-type': 'text/plain',
    });
    expect(signUp.status).toBe(415);
    expect(signUp.body.error.code).toBe('unsupported_media_type');
  });

  it('answers the router’s own refusals in the error body: a bad %-escape, an over-long path segment', async () => {
    for (const path of ['/api/whatsapp/templates/%ff', '/api/public/advisors/%E0%A4/whatsapp', '/%ff']) {
      const res = await client.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual({
        error: { code: 'invalid_request', message: expect.stringMatching(/%-escape/), details: {} },
      });
    }
    const long = await client.delete(`/api/api-keys/${'a'.repeat(501)}`);
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/500/) });
    // Where a catch-all route would take the path (every GET has the dashboard's), or where no
    // route has a parameter there, the answer is the same 400, not a 404.
    for (const path of [
      `/api/appointments/${'x'.repeat(501)}`,
      `/api/appointments/${'x'.repeat(501)}/cancel`,
      `/api/whatsapp/templates/${'%C3%A9'.repeat(501)}`,
      `/api/${'x'.repeat(501)}/anything?limit=1`,
    ]) {
      const method = path.endsWith('/cancel') ? 'POST' : 'GET';
      const res = await client.request(method, path, method === 'POST' ? {} : undefined);
      expect(res.status, path.slice(0, 40)).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/500/),
      });
    }
    // Exactly 500 characters is within the bound (500 encoded characters that decode to fewer too).
    const atBound = await client.get(`/api/appointments/${'x'.repeat(500)}`);
    expect(atBound.status).toBe(400);
    expect(atBound.body.error.details.fields).toEqual([{ field: 'externalId', message: expect.any(String) }]);
    const encoded = await client.get(`/api/nothing-here/${'%C3%A9'.repeat(200)}`);
    expect(encoded.status).toBe(404);
    expect(encoded.body.error.code).toBe('route_not_found');
    // Under the router's bound, the route's own check answers (a key id is never that long).
    const underBound = await client.delete(`/api/api-keys/${'a'.repeat(150)}`);
    expect(underBound.status).toBe(404);
    expect(underBound.body.error.code).toBe('not_found');
  });

  it('serves liveness, readiness and the OpenAPI document', async () => {
    expect((await client.get('/health')).body).toEqual({ status: 'ok' });
    const ready = await client.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: { ok: true }, redis: { ok: true } });
    const doc = await client.get('/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain('/api/api-keys');
  });

  it('echoes the caller’s request id, on errors too', async () => {
    const ok = await client.get('/health', { 'x-request-id': 'req-123' });
    expect(ok.headers.get('x-request-id')).toBe('req-123');
    const missing = await client.get('/api/nothing-here', { 'x-request-id': 'trace.42:a-b_c' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('trace.42:a-b_c');
    // The router's own refusals too (they answer before any hook runs).
    for (const path of ['/api/whatsapp/templates/%ff', `/api/api-keys/${'a'.repeat(501)}`]) {
      const refused = await client.get(path, { 'x-request-id': 'trace-router' });
      expect(refused.status, path.slice(0, 30)).toBe(400);
      expect(refused.headers.get('x-request-id'), path.slice(0, 30)).toBe('trace-router');
    }
  });

  it('generates a request id when none comes, or when the one that comes is not an id', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const first = (await client.get('/health')).headers.get('x-request-id');
    const second = (await client.get('/health')).headers.get('x-request-id');
    expect(first).toMatch(uuid);
    expect(second).toMatch(uuid);
    expect(second).not.toBe(first);
    for (const bad of ['has spaces in it', 'x'.repeat(129), '<script>']) {
      const res = await client.get('/health', { 'x-request-id': bad });
      expect(res.headers.get('x-request-id')).toMatch(uuid);
    }
  });
});

describe('an unexpected error', () => {
  it('answers 500 with the documented body and an errorId, logged once with that errorId', async () => {
    const sink = logSink();
    const logger = pino({ level: 'info' }, sink.stream);
    // The real app on the service's runtime, plus one route that fails the way a bug does.
    const app = await buildApp({ ...service.runtime, logger });
    app.get('/api/test-only/boom', async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/test-only/boom' });
      expect(res.statusCode).toBe(500);
      const body = res.json();
      expect(body).toEqual({
        error: {
          code: 'internal_error',
          message: 'Something went wrong on our side.',
          details: { errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        },
      });
      // The bug's own words stay in the logs, not in the answer.
      expect(res.body).not.toContain('Cannot read properties');
      const logged = sink.lines().filter((l) => l.errorId === body.error.details.errorId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, msg: 'unexpected error' });
      expect(JSON.stringify(logged[0]!.err)).toContain('Cannot read properties');
      expect(sink.lines().filter((l) => l.level === 50)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

describe('a date the database cannot hold', () => {
  it('is the caller’s 400, not a 500, even where no schema caught it', async () => {
    // A lifecycle of its own: closing the app of the test above marked the shared one as closing.
    const app = await buildApp({
      ...service.runtime,
      lifecycle: { draining: false, closing: false },
      logger: pino({ level: 'silent' }),
    });
    // What PostgreSQL (and PGlite) answer for year 10000 or a bad offset, wrapped as drizzle does.
    app.get('/api/test-only/year-10000', async () => {
      throw new Error('Failed query', {
        cause: Object.assign(new Error('date/time field value out of range'), { code: '22008' }),
      });
    });
    app.get('/api/test-only/offset', async () => {
      throw Object.assign(new Error('time zone displacement out of range'), { code: '22009' });
    });
    try {
      for (const url of ['/api/test-only/year-10000', '/api/test-only/offset']) {
        const res = await app.inject({ method: 'GET', url });
        expect([res.statusCode, res.json().error.code], url).toEqual([400, 'invalid_request']);
      }
    } finally {
      await app.close();
    }
  });
});
