// Two identical messages to one number: A's attempt times out (WhatsApp gets it later), B's is
// answered but its record fails for a moment, and meanwhile B's echo is adopted by A, the oldest
// unconfirmed lookalike. B's record then broke the unique (advisor, Evolution id) index on every
// retry: past its attempts the job re-delayed itself for ever and B was never recorded by it.
// Both went out, so both rows must end sent, each once, and B's job must end.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { useSlowGatewayService } from '../support/slow-gateway.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';

const PHONE = '+34612000861';
/** A's send outlasts our timeout (2 s) by long enough for B to go out and be echoed first. */
const A_LATENCY_MS = 6_000;

// A's retry waits long for its echo: it must not send again during the test.
const slow = useSlowGatewayService(20_000, { SEND_MAX_ATTEMPTS: '2' });
afterEach(async () => {
  await slow.ana.emulator.delete('/_emulator/faults');
});

describe('an echo adopted by the lookalike of the message it belongs to', () => {
  it('ends with both messages sent once each and no endless record job', async () => {
    const db = slow.service.runtime.ctx.db;
    const text = 'Recuerda tu cita de mañana a las 10:00';
    const copies = async () => (await sentByPhone(slow.ana)).filter((m) => m.text === text);

    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: A_LATENCY_MS });
    const a = await slow.ana.client.post('/api/whatsapp/send', { to: PHONE, text });
    expect(a.status).toBe(202);
    const aId = a.body.message.id as string;
    await waitFor(
      () => findMessage(db, slow.ana.userId, aId),
      (row) => row?.status === 'queued' && row.errorCode === 'gateway_timeout',
      { what: "A's timed-out attempt released", intervalMs: 20 },
    );
    // A's request is still asleep in the emulator; the next ones are answered at once.
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    // B's "sent" is refused for a moment (a real constraint): its job keeps the gateway's answer.
    const aCreated = (await findMessage(db, slow.ana.userId, aId))!.createdAt.toISOString();
    await db.execute(
      sql.raw(
        `alter table whatsapp_message add constraint ww_test_swapped_echo check (phone is distinct from ` +
          `'${PHONE}' or created_at <= '${aCreated}' or status not in ('sent', 'delivered', 'read')) not valid`,
      ),
    );
    let bId: string;
    try {
      const b = await slow.ana.client.post('/api/whatsapp/send', { to: PHONE, text });
      expect(b.status).toBe(202);
      bId = b.body.message.id as string;
      // B's echo finds no message with its id and gives it to A, the oldest unconfirmed lookalike.
      const adopted = await waitFor(
        () => findMessage(db, slow.ana.userId, aId),
        (row) => row?.evolutionMessageId != null,
        { what: "B's echo adopted by A", intervalMs: 20 },
      );
      expect(adopted!.evolutionMessageId).toBe((await copies())[0].id);
    } finally {
      await db.execute(sql.raw('alter table whatsapp_message drop constraint ww_test_swapped_echo'));
    }
    // A's own send lands later, with its echo.
    await waitFor(copies, (sent) => sent.length === 2, { what: "A's slow send", timeoutMs: 10_000 });
    const jobState = async () => {
      const job = await slow.service.runtime.messages.queue.getJob(`send-${bId}`);
      return job ? await job.getState() : 'removed';
    };
    await waitFor(jobState, (state) => !/delayed|waiting|active|prioritized/.test(state), {
      what: "B's job ended",
      timeoutMs: 8_000,
    });
    const rows = await waitFor(
      async () => [await findMessage(db, slow.ana.userId, aId), await findMessage(db, slow.ana.userId, bId)],
      (both) => both.every((row) => row?.evolutionMessageId != null),
      { what: 'both messages holding an Evolution id' },
    );
    for (const row of rows) expect(['sent', 'delivered', 'read']).toContain(row!.status);
    // Each of WhatsApp's two messages is recorded once (which row holds which does not matter:
    // they are identical), so the receipts of both reach a row.
    expect(rows.map((row) => row!.evolutionMessageId).sort()).toEqual(
      (await copies()).map((m) => m.id).sort(),
    );
  }, 60_000);
});
