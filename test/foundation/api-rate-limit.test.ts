// The HTTP API's per-caller limit, against real Redis: a credential has its own allowance only once
// it has authenticated (made-up keys or cookies used to buy a fresh allowance each), and the
// better-auth POSTs (sign-in: password guessing) count per IP address whatever they carry.
// Each test speaks from its own address (X-Forwarded-For; the service trusts its proxy).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

const PER_MINUTE = 5;
const AUTH_PER_MINUTE = 3;

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'unused',
      API_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_PER_MINUTE),
    },
  });
});
afterAll(async () => {
  await service?.close();
});

let address = 0;
const fromNewAddress = () => ({ 'x-forwarded-for': `198.51.100.${++address}` });

async function statuses(times: number, request: () => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push((await request()).status);
  return out;
}

describe('the API rate limit', () => {
  it('gives an authenticated session its own allowance, then answers 429 with Retry-After', async () => {
    const { client } = await signUpAdvisor(service.url, 'Limitada');
    const ana = client.withHeaders(fromNewAddress());
    // The first request still counts against the address; after it the session has its own.
    const seen = await statuses(PER_MINUTE + 1, () => ana.get('/api/whatsapp/config'));
    expect(seen).toEqual(Array(PER_MINUTE + 1).fill(200));
    const over = await ana.get('/api/whatsapp/config');
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.body.error).toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: expect.any(Number) },
    });
  });

  it('counts made-up API keys and cookies against the address, not one fresh allowance each', async () => {
    const headers = fromNewAddress();
    const stranger = new HttpClient(service.url, headers);
    let n = 0;
    const seen = await statuses(PER_MINUTE + 2, () =>
      stranger.get(
        '/api/whatsapp/config',
        n++ % 2 ? { 'x-api-key': `ww_made_up_${n}` } : { cookie: `better-auth.session_token=forged${n}` },
      ),
    );
    expect(seen.slice(0, PER_MINUTE)).toEqual(Array(PER_MINUTE).fill(401));
    expect(seen.slice(PER_MINUTE)).toEqual([429, 429]);
  });

  it('counts guesses at the queue dashboard (/admin/queues) too', async () => {
    const stranger = new HttpClient(service.url, fromNewAddress());
    let n = 0;
    const seen = await statuses(PER_MINUTE + 2, () =>
      stranger.get('/admin/queues/api/queues', { 'x-api-key': `ww_guess_${n++}` }),
    );
    expect(seen.slice(0, PER_MINUTE)).toEqual(Array(PER_MINUTE).fill(401));
    expect(seen.slice(PER_MINUTE)).toEqual([429, 429]);
  });

  it('answers a public route’s 429 readable from any origin, like its other answers', async () => {
    const visitor = new HttpClient(service.url, fromNewAddress());
    const seen = await statuses(PER_MINUTE, () => visitor.get('/api/public/advisors/nobody/whatsapp'));
    expect(seen).toEqual(Array(PER_MINUTE).fill(404));
    const over = await visitor.get('/api/public/advisors/nobody/whatsapp');
    expect(over.status).toBe(429);
    expect(over.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('limits sign-in attempts per address, whatever credentials ride along', async () => {
    const { email } = await signUpAdvisor(service.url, 'Adivina');
    const guesser = new HttpClient(service.url, { ...fromNewAddress(), origin: service.url });
    let n = 0;
    const seen = await statuses(AUTH_PER_MINUTE + 2, () =>
      guesser.post(
        '/api/auth/sign-in/email',
        { email, password: `wrong-password-${n}` },
        { 'x-api-key': `ww_made_up_${n++}` },
      ),
    );
    expect(seen.slice(0, AUTH_PER_MINUTE)).toEqual(Array(AUTH_PER_MINUTE).fill(401));
    expect(seen.slice(AUTH_PER_MINUTE)).toEqual([429, 429]);
    // Another address is not held back by this one.
    const other = new HttpClient(service.url, { ...fromNewAddress(), origin: service.url });
    expect(
      (await other.post('/api/auth/sign-in/email', { email, password: 'wrong-password-x' })).status,
    ).toBe(401);
  });

  it('ignores X-Forwarded-For from a peer it does not trust (TRUST_PROXY=false): no fresh address per request', async () => {
    const direct = await startTestService({
      env: {
        EVOLUTION_API_URL: 'http://127.0.0.1:9',
        EVOLUTION_API_KEY: 'unused',
        API_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
        TRUST_PROXY: 'false',
      },
    });
    try {
      const stranger = new HttpClient(direct.url);
      let n = 0;
      const seen = await statuses(PER_MINUTE + 1, () =>
        stranger.get('/api/whatsapp/config', { 'x-forwarded-for': `203.0.113.${++n}` }),
      );
      expect(seen).toEqual([...Array(PER_MINUTE).fill(401), 429]);
    } finally {
      await direct.close();
    }
  });
});
