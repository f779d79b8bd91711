// The queue dashboard (/admin/queues) while Redis is away. Its JSON API reads the queues through
// the API's queue connection, which holds commands until Redis returns: every call (the page polls
// /admin/queues/api/queues) hung with no answer for as long as Redis was down, where every other
// route answers 503 with the error body (API.md: "503 a dependency … is unavailable").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceWithAdmin } from '../support/admin.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy.js';
import { deletePrefix, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';

let proxy: RedisProxy;
let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  proxy = await startRedisProxy();
  ({ service, admin } = await startServiceWithAdmin({ REDIS_URL: proxy.url }));
});
afterAll(async () => {
  await service?.close();
  // The service's Redis was the proxy, now cut: clean its keys on the real one.
  if (service)
    await deletePrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', service.config.redis.prefix);
});

describe('the queue dashboard with Redis gone', () => {
  it('answers its API 503 redis_unavailable instead of hanging, and still refuses strangers first', async () => {
    const advisor = await signUpAdvisor(service.url, 'NotAdmin');
    expect((await admin.get('/admin/queues/api/queues')).status).toBe(200);

    await proxy.cut();
    await waitFor(
      async () => service.runtime.redis.status,
      (status) => status !== 'ready',
      { what: "the API's Redis connection noticing the outage" },
    );

    const res = await admin.get('/admin/queues/api/queues');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: { code: 'redis_unavailable', message: expect.stringMatching(/Redis/), details: {} },
    });
    // Authentication comes first: the outage is told to admins only.
    expect((await new HttpClient(service.url).get('/admin/queues/api/queues')).status).toBe(401);
    expect((await advisor.client.get('/admin/queues/api/queues')).status).toBe(403);
  });
});
