// Under load the worker's read-and-claim of concurrent jobs is one shared statement
// (delivery.repository.ts). One message whose row the claim cannot write (its attempt counter at
// the top of its type, as a bad migration could leave it: `attempts + 1` overflows) failed that
// statement, and with it every message it happened to share it with. On a last attempt those ended
// `internal_error` for another message's fault. Now a statement failing on its rows runs each of
// its messages alone, so only the bad one fails; a failure of the database itself does not
// (src/db/coalesce.test.ts).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  // One attempt each: a message that shares its only read with the bad row has no second chance.
  service = await startTestService({ env: { SEND_MAX_ATTEMPTS: '1' } });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('a row the claim cannot write, read in one statement with others', { timeout: 60_000 }, () => {
  it('fails alone: the messages it shared the statement with are sent', async () => {
    const db = service.database.db;
    const rows: { id: string }[] = [];
    for (let i = 0; i < 30; i++)
      rows.push(
        await unqueuedTextRow(db, ana.userId, `+346120011${String(i).padStart(2, '0')}`, `Hola ${i}`),
      );
    const bad = rows[15]!;
    await db.execute(sql`update whatsapp_message set attempts = 2147483647 where id = ${bad.id}`);
    // All at once, so that the worker reads them while its first read is in flight: together.
    await Promise.all(
      rows.map((r) =>
        service.runtime.messages.enqueue({ id: r.id, advisorId: ana.userId, scheduledAt: null }),
      ),
    );
    const ended = await waitFor(
      () => Promise.all(rows.map((r) => findMessage(db, ana.userId, r.id))),
      (found) => found.every((m) => m!.sentAt !== null || m!.status === 'failed'),
      { what: 'every message ended', timeoutMs: 30_000 },
    );
    const failed = ended.filter((m) => m!.status === 'failed').map((m) => m!.id);
    expect(failed).toEqual([bad.id]);
    expect(ended.find((m) => m!.id === bad.id)!.errorCode).toBe('internal_error');
  });
});
