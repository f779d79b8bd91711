// An attempt stopped by an error of the service's own (not the gateway's, not an outage) puts the
// message back in the queue with `internal_error`. The row's message was the error's own text: a
// SQL statement, a column or a file path, shown to the advisor in the history and to API callers.
// It is now a sentence with a reference, and the error's text is in the log under that reference.
//
// The error is real: the uploaded file's column renamed under the running service, as a bad
// migration could leave it, so the worker's read of the bytes fails in the database.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutbound } from '../../src/db/repositories/outbox-write.repository.js';
import { logSink } from '../support/logs.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const sink = logSink();
let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    // Two attempts, the second far away: the test reads the row between them.
    env: { SEND_MAX_ATTEMPTS: '2', SEND_BACKOFF_BASE_MS: '600000', SEND_BACKOFF_MAX_MS: '600000' },
    logger: pino({ level: 'info' }, sink.stream),
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('an attempt stopped by an error of our own', { timeout: 60_000 }, () => {
  it('leaves a sentence with a reference on the row, and the error in the log under it', async () => {
    const db = service.database.db;
    const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const { id } = await writeOutbound(db, ana.userId, {
      media: { mimetype: 'application/pdf', fileName: 'plan.pdf', bytes: pdf },
      message: {
        direction: 'outbound',
        phone: '+34612001300',
        type: 'document',
        fileName: 'plan.pdf',
        mimetype: 'application/pdf',
        status: 'queued',
        source: 'api',
        purpose: 'manual',
      },
      audit: { actorType: 'advisor', actorId: ana.userId, action: 'message.send', content: {} },
      client: { phone: '+34612001300', name: null, nameGiven: false, at: new Date() },
    });
    await db.execute(sql`alter table whatsapp_media rename column data to data_moved`);
    try {
      await service.runtime.messages.enqueue({ id, advisorId: ana.userId, scheduledAt: null });
      const waiting = await waitFor(
        async () => (await ana.client.get(`/api/whatsapp/messages/${id}`)).body,
        (m) => m.error?.code === 'internal_error',
        { what: 'the attempt stopped' },
      );
      expect(waiting.status).toBe('queued');
      const errorId = /error id ([0-9a-f-]{36})/.exec(waiting.error.message)?.[1];
      expect(waiting.error.message).toMatch(/on our side .* it will be tried again/);
      expect(errorId).toBeDefined();
      expect(waiting.error.message).not.toMatch(/data|select|column|whatsapp_media/i);

      const logged = sink.lines().filter((l) => l.errorId === errorId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ msg: 'send attempt failed by an internal error', messageId: id });
      expect(JSON.stringify(logged[0]!.err)).toMatch(/data/);
    } finally {
      await db.execute(sql`alter table whatsapp_media rename column data_moved to data`);
    }
  });
});
