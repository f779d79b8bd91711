// The account-safety pause counts failures that say something about the WhatsApp account, not
// an outage of the gateway. Evolution is usually deployed behind a reverse proxy, which answers
// 502 while Evolution restarts: those failed attempts used to count, so one message retried
// through a short restart paused its advisor (and every advisor with a message in flight), each
// to be resumed by hand. Here a proxy of our own stands in front of the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceBehindProxy, type ServiceBehindProxy } from '../support/service-behind-proxy.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const FAILURES = 3;

let service: ServiceBehindProxy;
let ana: ConnectedAdvisor;

beforeAll(async () => {
  // While down, the proxy answers Evolution's routes as nginx does with no upstream.
  service = await startServiceBehindProxy(
    {
      EVOLUTION_API_KEY: 'pause-outage-gateway-key',
      PACING_MODE: 'on',
      PACING_GAP_FLOOR_MS: '50',
      PACING_GAP_MIN_MS: '50',
      PACING_GAP_MAX_MS: '100',
      PACING_PAUSE_FAILURES: String(FAILURES),
      SEND_MAX_ATTEMPTS: String(FAILURES + 4),
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '200',
    },
    {
      status: 502,
      contentType: 'text/html',
      body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    },
  );
  ana = await connectedAdvisor(
    { url: service.url, emulatorUrl: service.gateway.url, runtime: service.runtime },
    'Ana',
  );
}, 60_000);

afterAll(async () => {
  await service?.close();
});

describe('the account-safety pause during a gateway outage', { timeout: 60_000 }, () => {
  it("does not count a proxy's 502s: the message waits out the outage and goes, unpaused", async () => {
    service.proxy.down = true;
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000901', text: 'hola' });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    try {
      // More failed attempts than a burst takes (the pause would have come at the third).
      const failing = await waitFor(
        () => ana.client.get(`/api/whatsapp/messages/${id}`),
        (r) => (r.body.attempts as number) > FAILURES,
        { what: `more than ${FAILURES} attempts`, timeoutMs: 20_000 },
      );
      // Waiting for its next attempt, or in it.
      expect(['queued', 'sending']).toContain(failing.body.status);
      expect(failing.body.error).toEqual({
        code: 'gateway_error',
        message: 'Evolution API answered HTTP 502',
      });
      expect((await ana.client.get('/api/whatsapp/config')).body.alert).toBeNull();
    } finally {
      service.proxy.down = false;
    }
    await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.sentAt !== null,
      { what: 'the message sent once the gateway is back', timeoutMs: 20_000 },
    );
    expect((await ana.client.get('/api/whatsapp/config')).body.alert).toBeNull();
  });
});
