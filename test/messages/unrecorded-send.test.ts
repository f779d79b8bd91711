// A send the gateway accepted whose recording failed: the database refused the write that marks
// it sent (in QA, PostgreSQL became unreachable for a few seconds while a slow send was in
// flight). The retry used to send it again, so the client got two copies. The job now keeps the
// gateway's answer, and the retry only records it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const PHONE = '+34612000851';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: { SEND_BACKOFF_BASE_MS: '50', SEND_BACKOFF_MAX_MS: '100', SEND_MAX_ATTEMPTS: '30' },
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('a send accepted by the gateway and not recorded', () => {
  it('reaches the client once: every retry records it instead of sending again', async () => {
    const db = service.database.db;
    // A real refusal by the database of this message's "sent" (and of any later status), while
    // the constraint exists: NOT VALID checks only rows written from now on.
    await db.execute(
      sql.raw(
        `alter table whatsapp_message add constraint ww_test_unrecorded check ` +
          `(phone is distinct from '${PHONE}' or status not in ('sent', 'delivered', 'read')) not valid`,
      ),
    );
    let res;
    try {
      res = await ana.client.post('/api/whatsapp/send', { to: PHONE, text: 'Te esperamos el jueves' });
      expect(res.status).toBe(202);
      const copies = async () => (await sentByPhone(ana)).filter((m) => `+${m.number}` === PHONE).length;
      await waitFor(copies, (n) => n >= 1, { what: 'the gateway accepting the send' });
      // Several retries (50–100 ms apart) while the database keeps refusing.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await findMessage(db, ana.userId, res.body.message.id)).toMatchObject({ status: 'sending' });
    } finally {
      await db.execute(sql.raw('alter table whatsapp_message drop constraint ww_test_unrecorded'));
    }
    const recorded = await waitFor(
      () => findMessage(db, ana.userId, res.body.message.id),
      (m) => m?.sentAt != null,
      { what: 'the send recorded' },
    );
    const phoneSide = (await sentByPhone(ana)).filter((m) => `+${m.number}` === PHONE);
    expect(phoneSide).toHaveLength(1);
    expect(recorded!.evolutionMessageId).toBe(phoneSide[0].key?.id ?? phoneSide[0].id);
  });
});
