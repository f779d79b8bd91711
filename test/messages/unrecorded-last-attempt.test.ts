// A send the gateway accepted whose recording keeps failing until the job's attempts run out
// (the database refusing the write, the echo lost too, as in a database and webhook outage). The
// job used to end: the row stayed `sending`, and once its claim expired the sweeper's fresh job,
// without the kept answer, sent it again. The record-only retries now outlive the attempts: they
// spend none, and go on until the send is recorded.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const PHONE = '+34612000852';
const TIMEOUT_MS = 2_000;

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: {
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '100',
      SEND_MAX_ATTEMPTS: '3',
      EVOLUTION_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      SWEEPER_INTERVAL_MS: '1000',
    },
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('a send not recorded by any of its attempts', () => {
  it('reaches the client once: recording goes on after the attempts run out', async () => {
    const db = service.database.db;
    // A real refusal by the database of this message's "sent" (NOT VALID: new writes only).
    await db.execute(
      sql.raw(
        `alter table whatsapp_message add constraint ww_test_unrecorded_last check ` +
          `(phone is distinct from '${PHONE}' or status not in ('sent', 'delivered', 'read')) not valid`,
      ),
    );
    await ana.emulator.put('/_emulator/faults', { dropWebhookRate: 1 }); // the echo is lost too
    const text = 'Te esperamos el viernes (sin registrar)';
    const res = await ana.client.post('/api/whatsapp/send', { to: PHONE, text });
    expect(res.status).toBe(202);
    const id = res.body.message.id;
    const copies = async () => (await sentByPhone(ana)).filter((m) => m.text === text);
    try {
      await waitFor(
        async () => (await copies()).length,
        (n) => n >= 1,
        { what: 'the gateway accepting the send' },
      );
      // Its 3 attempts (50–100 ms apart) are spent long before this: the job still retries.
      await new Promise((r) => setTimeout(r, 1_500));
      const job = await service.runtime.messages.queue.getJob(`send-${id}`);
      expect(job ? await job.getState() : 'removed').toMatch(/delayed|waiting|active/);
      expect(job!.data.sent).toBeDefined();
      expect(await findMessage(db, ana.userId, id)).toMatchObject({ status: 'sending' });
    } finally {
      await db.execute(sql.raw('alter table whatsapp_message drop constraint ww_test_unrecorded_last'));
      await ana.emulator.put('/_emulator/faults', { dropWebhookRate: 0 });
    }
    const recorded = await waitFor(
      () => findMessage(db, ana.userId, id),
      (m) => m?.sentAt != null,
      { what: 'the send recorded' },
    );
    // Long enough for the claim to expire (timeout + margin) and the sweeper to look.
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 6_000));
    const phoneSide = await copies();
    expect(phoneSide).toHaveLength(1);
    expect(recorded!.evolutionMessageId).toBe(phoneSide[0].key?.id ?? phoneSide[0].id);
  }, 60_000);
});
