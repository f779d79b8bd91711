// A database outage that lasts through a send's last attempt is no fault of the message: it must
// not fail, however long the outage (internal-error-ends.test.ts has the errors that do fail it).
// The job used to end failed and leave the message to the sweeper, which now counts its restores;
// it is held instead, looking again at the last backoff without spending an attempt, and the
// message goes out once the database is back. The sweeper is kept out of it (an hour between
// runs). PostgreSQL is reached through a relay this test cuts; embedded PGlite cannot come back
// once closed, so this runs on PostgreSQL only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { createTestDatabase } from '../support/database.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startRelay, type Relay } from '../support/pg-relay.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const ATTEMPTS = 3;

const base = await createTestDatabase();
const location = base.location;

let relay: Relay | undefined;
let service: TestService | undefined;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  if (location.kind !== 'postgres') return;
  relay = await startRelay(new URL(location.url), 'tcp');
  const relayed = await openDatabase({ kind: 'postgres', url: relay.url, poolSize: 5 });
  service = await startTestService({
    database: { ...relayed, location, destroy: () => relayed.close().catch(() => undefined) },
    env: {
      SEND_MAX_ATTEMPTS: String(ATTEMPTS),
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '100',
      SWEEPER_INTERVAL_MS: '3600000',
    },
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
  relay?.close();
  await base.destroy();
});

describe.skipIf(location.kind !== 'postgres')(
  "a database outage through a send's last attempt",
  { timeout: 60_000 },
  () => {
    it('holds the job without failing the message, which goes out when the database is back', async () => {
      const { runtime } = service!;
      // Written directly (not through the relay), then handed to the queue once the database is away.
      const row = await unqueuedTextRow(base.db, ana.userId, '+34612000930', 'Nos vemos el lunes');
      await relay!.cut();
      try {
        await runtime.messages.enqueue({ id: row.id, advisorId: ana.userId, scheduledAt: null });
        // Past its last attempt and still there: the held job has looked again at least once.
        const job = await waitFor(
          () => runtime.messages.queue.getJob(sendJobId(row.id)),
          (j) => j === undefined || (j?.attemptsStarted ?? 0) > ATTEMPTS,
          { what: 'the job looking again past its last attempt', timeoutMs: 15_000 },
        );
        expect(job).toBeDefined();
        expect(job!.attemptsMade).toBe(ATTEMPTS - 1);
        expect(await findMessage(base.db, ana.userId, row.id)).toMatchObject({
          status: 'queued',
          errorCode: null,
        });
      } finally {
        await relay!.restore();
      }
      const sent = await waitFor(
        () => findMessage(base.db, ana.userId, row.id),
        (m) => m?.sentAt != null,
        { what: 'the held message sent', timeoutMs: 10_000 },
      );
      expect(sent!.status).not.toBe('failed');
    });
  },
);
