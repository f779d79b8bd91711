// Retrying a failed message while Redis is down. The send route refuses with 503 before writing
// anything, so "try again" means what it says; the retry wrote the message back to `queued` (and
// its audit entry) and only then failed on Redis with a 503: the retry had in fact happened (the
// sweeper sends it once Redis is back), and the caller's "try again" met 409 "this one is queued".
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage, insertMessage } from '../../src/db/repositories/message.repository.js';
import { auditLog } from '../../src/db/schema/index.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

// Redis at a port where nothing listens.
let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      REDIS_URL: 'redis://127.0.0.1:6390',
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'x',
    },
  });
});
afterAll(async () => {
  await service?.close();
});

describe('retrying a failed message while Redis is down', () => {
  it('answers 503 redis_unavailable before changing anything, so the caller can try again', async () => {
    const { client, userId } = await signUpAdvisor(service.url);
    const { db } = service.runtime.ctx;
    const failed = await insertMessage(db, userId, {
      direction: 'outbound',
      phone: '+34612000861',
      type: 'text',
      text: 'Hola',
      status: 'failed',
      errorCode: 'not_connected',
      errorMessage: 'The instance is not connected.',
      attempts: 1,
      failedAt: new Date(),
      source: 'api',
      purpose: 'manual',
    });

    const res = await client.post(`/api/whatsapp/messages/${failed.id}/retry`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('redis_unavailable');
    // Nothing was done: still failed, no audit entry; the same retry can be sent again later.
    expect(await findMessage(db, userId, failed.id)).toMatchObject({ status: 'failed' });
    const audit = await db.select().from(auditLog).where(eq(auditLog.advisorId, userId));
    expect(audit.filter((e) => e.action === 'message.retry')).toEqual([]);
  });
});
