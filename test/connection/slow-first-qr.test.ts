// A gateway slow to produce its first QR (Baileys starting up): connect stops polling for it and
// answers without one, and the QR reaches the dashboard by webhook. That connection attempt is
// still an attempt: the history and the connection rate count it like one whose QR came at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';

/** Past connect's own wait for the QR (20 polls 250 ms apart). */
const FIRST_QR_DELAY_MS = 6_000;

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService({ emulator: { firstQrDelayMs: FIRST_QR_DELAY_MS } });
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

describe('a connect answered before the gateway has a QR', () => {
  it('records the attempt: the connection history shows it and the connection rate counts it', async () => {
    const { client } = await signUpAdvisor(service.url, 'Ana Lenta');
    const since = new Date(Date.now() - 60_000).toISOString();
    const connect = await client.post('/api/whatsapp/connect');
    expect(connect.body).toEqual({ status: 'qr_pending', qr: null });
    const shown = await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.qr !== null && r.body.qr !== undefined,
      { what: 'the QR, by webhook', timeoutMs: FIRST_QR_DELAY_MS + 10_000 },
    );
    expect(shown.body.status).toBe('qr_pending');
    const scan = await emulator.post(`/_emulator/instances/${shown.body.instanceName}/scan`, {
      phone: '+34612345670',
      profileName: 'Ana',
    });
    expect(scan.status).toBeLessThan(300);
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
      { what: 'connected status' },
    );

    const until = new Date(Date.now() + 60_000).toISOString();
    const metrics = await client.get(
      `/api/whatsapp/metrics?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`,
    );
    expect(metrics.status).toBe(200);
    // The socket's start ("connecting", by webhook) may come first; the attempt is there either way.
    const history = metrics.body.connectionHistory.map((e: { status: string }) => e.status);
    expect(history.slice(-2)).toEqual(['qr_pending', 'connected']);
    expect(metrics.body.connectionRate).toBe(1);
  });
});
