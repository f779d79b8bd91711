// The session cookie goes with every request the browser makes to the service's host, whichever
// page makes it: SameSite=Lax keeps it off other sites only, and another port of the host or a
// sibling subdomain is the same site. A POST without a body needs no CORS preflight, so a page of
// another origin could disconnect an advisor's number or cancel their messages with it.
// better-auth refuses a cookie-carrying POST from an untrusted Origin on /api/auth/*; the
// service's own routes must too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('a state-changing request carrying the session cookie', () => {
  it('is refused from a page of another origin, and acted on from the dashboard', async () => {
    const ana = await signUpAdvisor(service.url, 'Ana Ruiz');
    const cookie = ana.client.cookieHeader();
    const { port } = new URL(service.url);
    // Another port of the same host (the same site: the cookie goes along), a sibling
    // subdomain, and a sandboxed frame's opaque origin.
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, 'http://evil.127.0.0.1.nip.io', 'null']) {
      const res = await fetch(`${service.url}/api/whatsapp/connect`, {
        method: 'POST',
        headers: { cookie, origin },
      });
      expect([res.status, origin]).toEqual([403, origin]);
      expect((await res.json()).error).toMatchObject({
        code: 'forbidden',
        details: { authCode: 'INVALID_ORIGIN' },
      });
    }
    // Nothing was done: no instance was made for her.
    expect((await ana.client.get('/api/whatsapp/config')).body.status).toBe('not_configured');
    // A read from another origin is not refused (the browser keeps the answer from the page).
    const read = await fetch(`${service.url}/api/whatsapp/config`, {
      headers: { cookie, origin: 'http://evil.test' },
    });
    expect(read.status).toBe(200);

    // From the dashboard's own origin, or with no Origin at all (not a browser), it is done.
    const connected = await ana.client.post('/api/whatsapp/connect');
    expect(connected.status).toBe(200);
    const disconnected = await fetch(`${service.url}/api/whatsapp/disconnect`, {
      method: 'POST',
      headers: { cookie },
    });
    expect(disconnected.status).toBe(200);
  }, 30_000);

  it('is not asked of an API key, which no page holds', async () => {
    const ana = await signUpAdvisor(service.url, 'Ana Gil');
    const key = (await ana.client.post('/api/api-keys', { name: 'booking' })).body.key as string;
    const res = await fetch(`${service.url}/api/whatsapp/resume`, {
      method: 'POST',
      headers: { 'x-api-key': key, origin: 'http://booking.test' },
    });
    expect(res.status).toBe(200);
  });
});
