import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
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

  it('serves liveness, readiness and the OpenAPI document', async () => {
    expect((await client.get('/health')).body).toEqual({ status: 'ok' });
    const ready = await client.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: { ok: true }, redis: { ok: true } });
    const doc = await client.get('/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain('/api/api-keys');
  });

  it('echoes a request id header', async () => {
    const res = await client.get('/health', { 'x-request-id': 'req-123' });
    expect(res.headers.get('x-request-id') ?? 'req-123').toBe('req-123');
  });
});
