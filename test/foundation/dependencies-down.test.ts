import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyDown } from '../../src/domain/dependency-down.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

// Redis at a port where nothing listens: the process must stay up and say what is missing.
let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      REDIS_URL: 'redis://127.0.0.1:6390',
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'x',
    },
  });
});
afterAll(async () => {
  await service?.close();
});

describe('when Redis is down', () => {
  it('stays alive, and /ready answers 503 naming Redis', async () => {
    const client = new HttpClient(service.url);
    expect((await client.get('/health')).status).toBe(200);
    const ready = await client.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('service_unavailable');
    expect(ready.body.error.message).toMatch(/redis/);
    expect(ready.body.error.details.checks.database.ok).toBe(true);
    expect(ready.body.error.details.checks.redis.ok).toBe(false);
  });

  it('answers a send with 503 redis_unavailable before writing anything; routes without Redis still work', async () => {
    const { client } = await signUpAdvisor(service.url);
    expect((await client.get('/api/whatsapp/config')).status).toBe(200);
    const send = await client.post('/api/whatsapp/send', { to: '+34612345678', text: 'Hola' });
    expect(send.status).toBe(503);
    expect(send.body).toEqual({
      error: { code: 'redis_unavailable', message: expect.stringMatching(/Redis/), details: {} },
    });
    // Refused up front: no row was written for the sweeper to pick up later.
    const listed = await client.get('/api/whatsapp/messages');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([]);
  });

  it('puts a refused connection down to Redis by its configured port (6390), never the gateway on the same host', async () => {
    // What the service's own connections meet: nothing at REDIS_URL.
    const redis = new Redis('redis://127.0.0.1:6390', { lazyConnect: true, retryStrategy: () => null });
    const refused = new Promise<Error>((resolve) => redis.once('error', resolve));
    await redis.connect().catch(() => undefined);
    redis.disconnect();
    expect(await refused).toMatchObject({ code: 'ECONNREFUSED', port: 6390 });
    expect(dependencyDown(await refused)).toBe('redis');
    // The service's gateway (EVOLUTION_API_URL, port 9) refusing too.
    const gatewayDown = await service.runtime.gateway.fetchInstance('ana').then(
      () => null,
      (err: unknown) => err,
    );
    expect(gatewayDown).toBeInstanceOf(Error);
    expect(dependencyDown(gatewayDown)).toBeNull();
  });
});
