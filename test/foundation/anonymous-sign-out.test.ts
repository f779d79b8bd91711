// A sign-out with no session of the caller's ends nothing, so it must not tell every API process
// to forget every cached credential: anyone could empty the caches with a stream of anonymous
// sign-outs (better-auth answers them 200), turning each advisor's next requests into database
// reads. A refused admin call was already kept from doing this; a sign-out was not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialCachesOf, sessionTokenOf } from '../../src/auth/session-cache.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused' },
  });
});
afterAll(async () => {
  await service?.close();
});

describe('a sign-out with no session', () => {
  it("leaves the other advisors' cached sessions, and a real sign-out still ends its own", async () => {
    const caches = credentialCachesOf(service.runtime.auth)!;
    const ana = await signUpAdvisor(service.url, 'Ana Sanz');
    expect((await ana.client.get('/api/whatsapp/config')).status).toBe(200);
    const token = sessionTokenOf(ana.client.cookieHeader())!;
    expect(caches.sessions.get(token)).toMatchObject({ advisorId: ana.userId });

    const anonymous = new HttpClient(service.url, { origin: service.url });
    const signedOut = await anonymous.post('/api/auth/sign-out');
    expect(signedOut.status).toBeLessThan(500);
    // A cookie naming no session (expired, made up) ends nothing either.
    const madeUp = new HttpClient(service.url, {
      origin: service.url,
      cookie: 'better-auth.session_token=not-a-session.signature',
    });
    expect((await madeUp.post('/api/auth/sign-out')).status).toBeLessThan(500);
    expect(caches.sessions.get(token)).toMatchObject({ advisorId: ana.userId });

    expect((await ana.client.post('/api/auth/sign-out')).status).toBe(200);
    expect(caches.sessions.get(token)).toBeNull();
    expect((await ana.client.get('/api/whatsapp/config')).status).toBe(401);
  });
});
