// The caches of resolved credentials (src/auth/credential-cache.ts) through real apps: two API
// processes on one database and Redis. A sign-out or an API key revoked through either ends at
// once in both (src/auth/revocation-feed.ts); a credential deleted behind the service's back (by
// hand in the database) is served until the cache's TTL; a process that lost its subscription
// keeps nothing it cached before.
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { credentialCachesOf } from '../../src/auth/session-cache.js';
import { apikey, session } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startServiceWithAdmin } from '../support/admin.js';
import { freePort, type TestService } from '../support/service.js';

// Sessions: long enough to outlast a few requests on a loaded machine, short enough to wait out
// once. API keys: far longer than any test here, so only a revocation can end a cached key.
const SESSION_TTL_MS = 4_000;
const API_KEY_TTL_MS = 120_000;
let service: TestService;
let admin: HttpClient;
let second: { runtime: Runtime; app: FastifyInstance; url: string };

beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin({
    EVOLUTION_API_URL: 'http://127.0.0.1:9',
    EVOLUTION_API_KEY: 'unused',
    SESSION_CACHE_TTL_MS: String(SESSION_TTL_MS),
    API_KEY_CACHE_TTL_MS: String(API_KEY_TTL_MS),
  }));
  // A second API process: same configuration, database and Redis prefix.
  const runtime = await createRuntime(service.config, createLogger('silent'), 'api', {
    database: service.database,
  });
  const app = await buildApp(runtime);
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  second = { runtime, app, url: `http://127.0.0.1:${port}` };
  await until('both processes to hear revocations', () =>
    [service.app, second.app].every((a) => credentialCachesOf(runtimeAuth(a))?.apiKeys.serving === true),
  );
});
afterAll(async () => {
  await second?.app.close();
  await second?.runtime.close();
  await service?.close();
});

function runtimeAuth(app: FastifyInstance) {
  return app === service.app ? service.runtime.auth : second.runtime.auth;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a change that travels through Redis to the other process (milliseconds, not a TTL). */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A client of the second process carrying this browser's cookie (and the origin it trusts). */
function onSecond(client: HttpClient): HttpClient {
  return new HttpClient(second.url, { origin: service.url, cookie: client.cookieHeader() });
}

async function newKey(client: HttpClient): Promise<{ id: string; key: string }> {
  const created = await client.post<{ id: string; key: string }>('/api/api-keys', { name: 'booking' });
  expect(created.status).toBe(201);
  return created.body;
}

describe('dashboard session cache', () => {
  it('ends a session at once when it signs out here, even while cached', async () => {
    const { client } = await signUpAdvisor(service.url, 'Ana');
    expect((await client.get('/api/api-keys')).status).toBe(200);
    const cookie = client.cookieHeader();
    expect((await client.post('/api/auth/sign-out')).status).toBe(200);
    // Replay the signed-out cookie, as a second tab of the same browser would.
    const replay = await new HttpClient(service.url).get('/api/api-keys', { cookie });
    expect(replay.status).toBe(401);
  });

  it('drops the other cached sessions of an advisor who signs out', async () => {
    const { client: laptop, email } = await signUpAdvisor(service.url, 'Bea');
    const phone = new HttpClient(service.url);
    expect((await phone.post('/api/auth/sign-in/email', { email, password: 'correct-horse-9' })).status).toBe(
      200,
    );
    expect((await phone.get('/api/api-keys')).status).toBe(200);
    // Revoke every other session from the laptop: the phone's cached one must go too.
    expect((await laptop.post('/api/auth/revoke-other-sessions')).status).toBe(200);
    expect((await phone.get('/api/api-keys')).status).toBe(401);
    expect((await laptop.get('/api/api-keys')).status).toBe(200);
  });

  it('ends a session signed out through the other API process', async () => {
    const { client } = await signUpAdvisor(service.url, 'Dora');
    const cookie = client.cookieHeader();
    expect((await client.get('/api/api-keys')).status).toBe(200);
    expect((await onSecond(client).get('/api/api-keys')).status).toBe(200);
    expect((await onSecond(client).post('/api/auth/sign-out')).status).toBe(200);
    // Well inside the session TTL: only the announcement can end it here.
    await until(
      'the first process to refuse the session',
      async () => (await new HttpClient(service.url).get('/api/api-keys', { cookie })).status === 401,
      SESSION_TTL_MS / 2,
    );
  });

  it('stops accepting a session deleted elsewhere once the TTL has passed', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Caro');
    expect((await client.get('/api/api-keys')).status).toBe(200);
    await service.database.db.delete(session).where(eq(session.userId, userId));
    await sleep(SESSION_TTL_MS + 50);
    expect((await client.get('/api/api-keys')).status).toBe(401);
  });
});

describe('API key cache', () => {
  it('serves a checked key without the database until its TTL', async () => {
    const { client } = await signUpAdvisor(service.url, 'Eva');
    const { id, key } = await newKey(client);
    const booking = new HttpClient(service.url, { 'x-api-key': key });
    expect((await booking.get('/api/api-keys')).status).toBe(200);
    // Deleted by hand, with no announcement: this process still has it.
    await service.database.db.delete(apikey).where(eq(apikey.id, id));
    expect((await booking.get('/api/api-keys')).status).toBe(200);
    // The other process never checked it, so asks the database.
    expect((await new HttpClient(second.url, { 'x-api-key': key }).get('/api/api-keys')).status).toBe(401);
  });

  it('ends a key revoked here at once, and in the other process', async () => {
    const { client } = await signUpAdvisor(service.url, 'Fina');
    const { id, key } = await newKey(client);
    const here = new HttpClient(service.url, { 'x-api-key': key });
    const there = new HttpClient(second.url, { 'x-api-key': key });
    expect((await here.get('/api/api-keys')).status).toBe(200);
    expect((await there.get('/api/api-keys')).status).toBe(200);
    expect((await client.delete(`/api/api-keys/${id}`)).status).toBe(204);
    expect((await here.get('/api/api-keys')).status).toBe(401);
    await until(
      'the other process to refuse the key',
      async () => (await there.get('/api/api-keys')).status === 401,
    );
  });

  it('ends every cached key of an advisor an admin bans, in every process', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Gala');
    const { key } = await newKey(client);
    const there = new HttpClient(second.url, { 'x-api-key': key });
    expect((await there.get('/api/api-keys')).status).toBe(200);
    expect((await admin.post('/api/auth/admin/ban-user', { userId })).status).toBe(200);
    await until(
      'the other process to refuse the key',
      async () => (await there.get('/api/api-keys')).status === 401,
    );
  });

  it('empties no cache for an admin call that was refused', async () => {
    const { client } = await signUpAdvisor(service.url, 'Inés');
    const { id, key } = await newKey(client);
    const there = new HttpClient(second.url, { 'x-api-key': key });
    expect((await there.get('/api/api-keys')).status).toBe(200);
    await service.database.db.delete(apikey).where(eq(apikey.id, id));
    // Not an admin: refused, so nothing changed and nothing is announced.
    expect((await client.post('/api/auth/admin/ban-user', { userId: 'anyone' })).status).toBe(403);
    await sleep(300);
    // Still served from the second process's cache (it was deleted by hand, unannounced).
    expect((await there.get('/api/api-keys')).status).toBe(200);
  });

  it('keeps nothing it cached before losing its subscription', async () => {
    const { client } = await signUpAdvisor(service.url, 'Hana');
    const { id, key } = await newKey(client);
    const booking = new HttpClient(service.url, { 'x-api-key': key });
    expect((await booking.get('/api/api-keys')).status).toBe(200);
    const { redis } = service.runtime;
    const { feed, apiKeys } = credentialCachesOf(service.runtime.auth)!;
    const ids = async () =>
      ((await redis.call('CLIENT', 'LIST')) as string)
        .split('\n')
        .filter((line) => line.includes(` name=${feed.connectionName} `))
        .map((line) => /(?:^|\s)id=(\d+)/.exec(line)![1]!);
    const [before] = await ids();
    expect(before).toBeDefined();
    await redis.call('CLIENT', 'KILL', 'ID', before!);
    await until('a new subscription', async () => {
      const now = await ids();
      return now.length === 1 && now[0] !== before && apiKeys.serving;
    });
    // Deleted by hand, as an announcement missed while away would have said: not served.
    await service.database.db.delete(apikey).where(eq(apikey.id, id));
    expect((await booking.get('/api/api-keys')).status).toBe(401);
  });
});
