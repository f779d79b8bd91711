// A request that was resolving its session while the same session signed out in this process must
// not put that session back in the cache: the sign-out would then not end it "at once".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'unused',
      // Long, so a session wrongly cached is still there when the test looks.
      SESSION_CACHE_TTL_MS: '300000',
    },
  });
});
afterAll(async () => {
  await service?.close();
});

describe('a sign-out racing requests of the same session', () => {
  it('ends the session for good, whatever was resolving it meanwhile', async () => {
    const leaked: number[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const { client } = await signUpAdvisor(service.url, 'Ana');
      const cookie = client.cookieHeader();
      const other = new HttpClient(service.url, { cookie });
      // Nothing cached yet: these resolve the session from the database while it signs out.
      const inFlight = Array.from({ length: 4 }, () => other.get('/api/api-keys'));
      const signedOut = await client.post('/api/auth/sign-out');
      expect(signedOut.status).toBe(200);
      await Promise.all(inFlight);
      const replay = await new HttpClient(service.url).get('/api/api-keys', { cookie });
      if (replay.status !== 401) leaked.push(attempt);
    }
    expect(leaked, 'attempts whose signed-out session still worked').toEqual([]);
  });
});
