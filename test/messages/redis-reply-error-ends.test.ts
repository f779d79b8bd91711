// A send whose attempts keep failing on an error Redis answers about our own command is a bug of
// ours, not an outage: Redis is up and refusing what we asked. Its last attempt must fail the
// message `internal_error` like any other bug of ours (internal-error-ends.test.ts), not hold the
// job as for an outage (outage-last-attempt.test.ts): held, it would look again after every
// backoff for ever, the message pending in the advisor's history. Any error whose text mentioned
// Redis used to count as an outage (a script's "Wrong number of args calling Redis command").
//
// The error is real: the advisor's rate-limit state, which the worker's script reads as a hash on
// every send, holds a string (a hand-made fix-up, a key written by another version), so the script
// fails with WRONGTYPE on every attempt.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const ATTEMPTS = 3;

let service: TestService;
let redis: Redis;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: {
      SEND_MAX_ATTEMPTS: String(ATTEMPTS),
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '100',
      // Kept out of it: only the job's own attempts decide.
      SWEEPER_INTERVAL_MS: '3600000',
    },
  });
  redis = new Redis(service.config.redis.url);
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  const keys = await redis.keys(`${service.config.redis.prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await service?.close();
});

describe('a send whose Redis script keeps failing on our own key', { timeout: 60_000 }, () => {
  it('ends failed with internal_error after its attempts instead of being held', async () => {
    const rateKey = `${service.config.redis.prefix}:rate:{${ana.userId}}`;
    await redis.set(rateKey, 'not a hash');
    const row = await unqueuedTextRow(service.database.db, ana.userId, '+34612000940', 'Hasta el jueves');
    await service.runtime.messages.enqueue({ id: row.id, advisorId: ana.userId, scheduledAt: null });

    // Held, the job would look again after every backoff and the message never end: this waits
    // in vain.
    const ended = await waitFor(
      async () => (await ana.client.get(`/api/whatsapp/messages/${row.id}`)).body,
      (m) => m.status === 'failed',
      { what: 'the message failing', timeoutMs: 15_000 },
    );
    expect(ended.status).toBe('failed');
    expect(ended.error).toEqual({
      code: 'internal_error',
      message: expect.stringContaining(`${ATTEMPTS} attempts`),
    });
    expect(await service.runtime.messages.queue.getJob(sendJobId(row.id))).toBeUndefined();
    // It was the script refusing every attempt, and it still does: Redis itself answers.
    expect(await redis.type(rateKey)).toBe('string');
  });
});
