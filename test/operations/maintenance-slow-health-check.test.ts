// The outbox sweeper is the safety net for jobs Redis lost. It shares the maintenance worker with
// the connection health check, which asks the gateway about every connected instance one after
// the other. Against a gateway that hangs, each of those asks lasts EVOLUTION_REQUEST_TIMEOUT_MS
// (30 s by default): with the worker taking one maintenance job at a time, a health check of N
// instances kept every sweep (outbox and webhooks) and every prune waiting N × 30 s, run after run.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const REQUEST_TIMEOUT_MS = 6_000;

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: {
      EVOLUTION_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HEALTH_CHECK_INTERVAL_MS: '500',
      SWEEPER_INTERVAL_MS: '1000',
      PACING_MODE: 'off',
    },
  });
  ana = await connectedAdvisor(service, 'Ana Pasarela Colgada');
});
afterAll(async () => {
  await service?.close();
});

describe('a health check stuck on a hanging gateway', { timeout: 60_000 }, () => {
  it('does not hold back the outbox sweeper', async () => {
    // Every gateway call now hangs until the client gives up.
    await ana.emulator.put('/_emulator/faults', { latencyMs: 60_000 });
    const before = (await ana.emulator.get('/_emulator/stats')).body.requests as number;
    // A health check has just asked the gateway: it holds on for REQUEST_TIMEOUT_MS from now.
    await waitFor(
      async () => (await ana.emulator.get('/_emulator/stats')).body.requests as number,
      (requests) => requests > before,
      { what: 'a health check asking the gateway', timeoutMs: 10_000, intervalMs: 20 },
    );

    // A message whose job Redis lost a while ago (untouched for longer than the sweeper's grace).
    const db = service.runtime.ctx.db;
    const row = await unqueuedTextRow(db, ana.userId, '+34611000780', 'perdido');
    await db.execute(
      sql`update whatsapp_message set updated_at = now() - interval '1 minute' where id = ${row.id}`,
    );
    const lostAt = Date.now();
    await waitFor(
      () => service.runtime.messages.queue.getJobState(sendJobId(row.id)),
      (state) => state !== 'unknown',
      { what: 'the sweeper to restore the job', timeoutMs: 3 * REQUEST_TIMEOUT_MS },
    );
    // The sweeper runs every second; it used to wait for the health check to give up first.
    expect(Date.now() - lostAt).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
  });
});
