// An open live-events stream carries the advisor's messages (numbers, texts). Found by QA: a
// stream opened with an API key kept streaming after the key was revoked, and one opened with a
// session after signing out. The stream now checks its credentials again every
// LIVE_EVENTS_RECHECK_MS and ends, saying `unauthorized`, once they no longer hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { openSse, type SseStream } from '../support/sse.js';

const RECHECK_MS = 1_000;

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: { LIVE_EVENTS_RECHECK_MS: String(RECHECK_MS), SESSION_CACHE_TTL_MS: '0' },
  });
});
afterAll(async () => {
  await service?.close();
});

const events = () => `${service.url}/api/whatsapp/events`;

/** Whether the server ended the stream within `ms`. */
const endsWithin = (stream: SseStream, ms: number) =>
  Promise.race([stream.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('a live-events stream whose credentials stop holding', () => {
  it('ends once its API key is revoked, and stays open while the key holds', async () => {
    const { client } = await signUpAdvisor(service.url, 'Clave Revocada');
    const key = await client.post('/api/api-keys', { name: 'agenda' });
    const stream = await openSse(events(), { 'x-api-key': key.body.key });
    try {
      await stream.next((e) => e.event === 'status');
      expect(await endsWithin(stream, 2.5 * RECHECK_MS)).toBe(false);
      expect((await client.delete(`/api/api-keys/${key.body.id}`)).status).toBe(204);
      expect(await endsWithin(stream, 3 * RECHECK_MS)).toBe(true);
      expect(stream.events.at(-1)?.event).toBe('unauthorized');
    } finally {
      stream.close();
    }
  });

  it('ends once its session signs out', async () => {
    const { client } = await signUpAdvisor(service.url, 'Sesión Cerrada');
    const stream = await openSse(events(), client.cookieHeader());
    try {
      await stream.next((e) => e.event === 'status');
      expect((await client.post('/api/auth/sign-out', {})).status).toBe(200);
      expect(await endsWithin(stream, 3 * RECHECK_MS)).toBe(true);
      expect(stream.events.at(-1)?.event).toBe('unauthorized');
      // And it cannot be opened again with that cookie.
      await expect(openSse(events(), client.cookieHeader())).rejects.toThrow(/401/);
    } finally {
      stream.close();
    }
  });
});

// Found by review: Fastify answers HEAD on every GET route, and the stream's route opened a stream
// for it; Node sends no body for a HEAD, and the headers only go out with the first body bytes, so
// the caller (an uptime monitor, a link checker) got no answer at all while the server held a live
// subscription and its timers for as long as the caller waited.
describe('a HEAD request for the live-events stream', () => {
  it('is answered at once with the stream’s headers', async () => {
    const { client } = await signUpAdvisor(service.url, 'Monitor');
    const res = await fetch(events(), {
      method: 'HEAD',
      headers: { cookie: client.cookieHeader() },
      signal: AbortSignal.timeout(3_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Anonymous: the 401 as for a GET.
    const anonymous = await fetch(events(), { method: 'HEAD', signal: AbortSignal.timeout(3_000) });
    expect(anonymous.status).toBe(401);
  });
});
