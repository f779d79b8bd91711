// The dashboard session cache (src/auth/session-cache.ts) through the real app: a sign-out in this
// process ends the session at once; a session deleted behind the process's back (another API
// replica, an admin) stops working once the cache's TTL has passed.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session } from '../../src/db/schema/index.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

// Long enough to outlast a few requests on a loaded machine, short enough to wait out once.
const TTL_MS = 3_000;
let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'unused',
      SESSION_CACHE_TTL_MS: String(TTL_MS),
    },
  });
});
afterAll(async () => {
  await service?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  it('stops accepting a session deleted elsewhere once the TTL has passed', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Caro');
    expect((await client.get('/api/api-keys')).status).toBe(200);
    await service.database.db.delete(session).where(eq(session.userId, userId));
    await sleep(TTL_MS + 50);
    expect((await client.get('/api/api-keys')).status).toBe(401);
  });
});
