// A send whose processing keeps throwing an error that is neither the gateway's nor an outage's
// (a bug, a row the worker cannot process, a library's unexpected exception). BullMQ retried it
// SEND_MAX_ATTEMPTS times and failed the job, the row stayed `queued`, and the sweeper made a new
// job every SWEEPER_INTERVAL_MS, for ever: a message that never ended, a warning every 30 s, and
// "pending" in the advisor's history. Now the last attempt fails the message (`internal_error`),
// which the sweeper leaves alone, the advisor's account-safety pause does not count, and a retry
// from the history sends once the row is repaired. A message whose jobs keep ending some other way
// (a worker that dies on it) is restored a few times only.
//
// The error is real: a row whose attempt counter a bad migration or a hand-made fix-up left at
// the top of its type, so the claim's `attempts + 1` overflows in PostgreSQL (and PGlite) on
// every attempt.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { MAX_RESTORES, sweepOutbox } from '../../src/workers/sweeper.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const ATTEMPTS = 3;
const PAUSE_AFTER_FAILURES = 2;
const INT_MAX = 2_147_483_647;

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: {
      SEND_MAX_ATTEMPTS: String(ATTEMPTS),
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '100',
      // The real sweeper runs every second: it must leave the failed messages alone.
      SWEEPER_INTERVAL_MS: '1000',
      PACING_MODE: 'on',
      PACING_GAP_FLOOR_MS: '50',
      PACING_GAP_MIN_MS: '50',
      PACING_GAP_MAX_MS: '100',
      PACING_PAUSE_FAILURES: String(PAUSE_AFTER_FAILURES),
    },
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const db = () => service.database.db;
const jobOf = (id: string) => service.runtime.messages.queue.getJob(sendJobId(id));
const messageOf = async (id: string) => (await ana.client.get(`/api/whatsapp/messages/${id}`)).body;

/** A queued text whose stored attempt count no claim can raise, handed to the queue as /send does. */
async function corruptMessage(phone: string): Promise<string> {
  const row = await unqueuedTextRow(db(), ana.userId, phone, 'Tu cita del martes');
  await db().execute(sql`update whatsapp_message set attempts = ${INT_MAX} where id = ${row.id}`);
  await service.runtime.messages.enqueue({ id: row.id, advisorId: ana.userId, scheduledAt: null });
  return row.id;
}

describe('a send that keeps failing with an internal error', { timeout: 60_000 }, () => {
  const ids: string[] = [];

  it('ends failed with internal_error after its attempts, and the sweeper leaves it', async () => {
    // To as many different clients as would pause the account if they were its failures.
    for (let i = 0; i <= PAUSE_AFTER_FAILURES; i++) ids.push(await corruptMessage(`+3461200090${i}`));
    const ended = await waitFor(
      () => Promise.all(ids.map(messageOf)),
      (rows) => rows.every((m) => m.status === 'failed'),
      { what: 'every corrupt message failed', timeoutMs: 15_000 },
    );
    for (const m of ended) {
      expect(m.error).toEqual({ code: 'internal_error', message: expect.stringMatching(/on our side/) });
      expect(m.error.message).toContain(`${ATTEMPTS} attempts`);
      expect(m.failedAt).not.toBeNull();
    }

    // Sweeps (the real one every second, and one whose clock is past the grace) make no new job.
    expect(
      await sweepOutbox(service.runtime.ctx, service.runtime.messages, new Date(Date.now() + 60_000)),
    ).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    for (const id of ids) {
      expect(await jobOf(id)).toBeUndefined();
      expect((await findMessage(db(), ana.userId, id))!.status).toBe('failed');
    }
  });

  it("does not count towards the account-safety pause: the advisor's other sends go out", async () => {
    expect((await ana.client.get('/api/whatsapp/config')).body.alert).toBeNull();
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000910', text: 'Hola' });
    expect(res.status).toBe(202);
    await waitFor(
      () => messageOf(res.body.message.id),
      (m) => m.sentAt !== null,
      { what: 'a healthy message sent' },
    );
  });

  it('can be retried from the history once its row is repaired', async () => {
    const id = ids[0]!;
    await db().execute(sql`update whatsapp_message set attempts = 1 where id = ${id}`);
    const retry = await ana.client.post(`/api/whatsapp/messages/${id}/retry`);
    expect(retry.status).toBe(202);
    const sent = await waitFor(
      () => messageOf(id),
      (m) => m.sentAt !== null,
      { what: 'the repaired message sent' },
    );
    expect(sent.error).toBeNull();
  });

  it('a message whose job keeps ending without it is restored a few times, then fails', async () => {
    // Its jobs end without our processor ending it, as when a worker dies on it each time (BullMQ
    // fails a job that stalled twice without running the processor again) or someone keeps
    // removing it: the sweeper must not restore it for ever. A scheduled row keeps the job waiting.
    const row = await unqueuedTextRow(db(), ana.userId, '+34612000920', 'Hasta mañana');
    await db().execute(
      sql`update whatsapp_message set status = 'scheduled', scheduled_at = now() + interval '1 day' where id = ${row.id}`,
    );
    const sweep = () =>
      sweepOutbox(service.runtime.ctx, service.runtime.messages, new Date(Date.now() + 60_000));
    let restores = 0;
    for (let i = 0; i < 20; i++) {
      const job = await jobOf(row.id);
      if (job) await job.remove();
      const restored = await sweep();
      if ((await findMessage(db(), ana.userId, row.id))!.status === 'failed') break;
      if (restored > 0) restores++;
    }
    expect(restores).toBe(MAX_RESTORES);
    const failed = await messageOf(row.id);
    expect(failed.status).toBe('failed');
    expect(failed.error.code).toBe('internal_error');
    expect(failed.error.message).toContain(`started again ${MAX_RESTORES} times`);
    expect(await jobOf(row.id)).toBeUndefined();
    expect(await sweep()).toBe(0);
  });
});
