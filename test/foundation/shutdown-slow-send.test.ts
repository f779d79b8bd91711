// A deploy stops a worker while a send waits on a slow gateway. The worker waits for that request
// (up to its timeout) instead of abandoning it after the 10 s every other shutdown step gets: an
// abandoned send stays claimed until the claim lapses, and if Evolution took it and its echo never
// came, the worker that takes it over sends it a second time.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { CLOSE_STEP_MS } from '../../src/shutdown.js';
import { logSink, type LogSink } from '../support/logs.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

// Longer than every other shutdown step may take, well inside the request timeout.
const GATEWAY_LATENCY_MS = CLOSE_STEP_MS + 1_500;

let service: TestService;
let sink: LogSink;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  sink = logSink();
  service = await startTestService({
    env: { EVOLUTION_REQUEST_TIMEOUT_MS: String(GATEWAY_LATENCY_MS + 8_000) },
    logger: pino({ level: 'info' }, sink.stream),
  });
  ana = await connectedAdvisor(service, 'Ana Despliegue Lento');
});
afterAll(async () => {
  // The runtime is closed by the test; closing again only has the database and prefix to drop.
  await service?.close().catch(() => undefined);
});

describe('stopping a worker while a send waits on the gateway', { timeout: 90_000 }, () => {
  it('waits for the send, records it, and leaves nothing claimed', async () => {
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34611000777', text: 'cita mañana' });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    await waitFor(
      () => findMessage(service.runtime.ctx.db, ana.userId, id),
      (row) => row?.status === 'sending',
      { what: 'the send claimed and waiting on the gateway', timeoutMs: 20_000 },
    );

    await service.runtime.close();

    const row = await findMessage(service.runtime.ctx.db, ana.userId, id);
    // Sent, or further: the phone's receipts are applied as they arrive, while the worker stops.
    expect(['sent', 'delivered', 'read']).toContain(row!.status);
    expect(row!.sentAt).not.toBeNull();
    expect(row!.evolutionMessageId).toBeTruthy();
    expect(sink.text()).not.toContain('a shutdown step timed out');
  });
});
