// "Reintentar" on a message WhatsApp reported failed (an ERROR receipt after it was sent). The row
// kept the failed attempt's Evolution id, and the echo of a lost send is matched only to a row
// with no id: when the retry's answer was lost (a slow gateway), its echo confirmed nothing, the
// retry after the uncertain wait found the row unsent and sent it again, and the client got the
// retry twice. A retry now clears the failed attempt's id and keeps it as superseded: clearing it
// alone let a late echo of the failed attempt (one that beat its send's record waits
// WEBHOOK_ECHO_GRACE_MS before it is stored) be adopted by the retried row, which then held the
// old id and lost the retry's own receipts (seen once in CI on PostgreSQL).
import { and, count, eq, isNull } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { webhookEvent, whatsappMessage } from '../../src/db/schema/index.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import { SLOW_GATEWAY_LATENCY_MS, useSlowGatewayService } from '../support/slow-gateway.js';

// Twice the helper's usual margin for the retry's echo to land before its uncertain retry would
// send again (CI runs these tests on a loaded machine).
const UNCERTAIN_WAIT_MS = 8_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS);
afterEach(async () => {
  await slow.ana.emulator.delete('/_emulator/faults');
});

const row = (id: string) => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id);
const copiesOf = async (text: string) => (await sentByPhone(slow.ana)).filter((m) => m.text === text);

/** A message sent, then failed by WhatsApp (an ERROR receipt): its id and that attempt's Evolution id. */
async function failedAfterSending(to: string, text: string): Promise<{ id: string; failedAttempt: string }> {
  const { ana } = slow;
  // Receipts only when the test sends them.
  await ana.emulator.put('/_emulator/faults', { statusDelaysMs: null });
  const res = await ana.client.post('/api/whatsapp/send', { to, text });
  expect(res.status).toBe(202);
  const id = res.body.message.id as string;
  const first = await waitFor(
    () => row(id),
    (m) => m?.status === 'sent',
    { what: 'the first send' },
  );
  const failedAttempt = first!.evolutionMessageId!;
  await receipt(failedAttempt, 'ERROR');
  await waitFor(
    () => row(id),
    (m) => m?.status === 'failed',
    { what: 'WhatsApp failing it' },
  );
  return { id, failedAttempt };
}

async function receipt(keyId: string, status: 'DELIVERY_ACK' | 'ERROR'): Promise<void> {
  const res = await slow.ana.emulator.post(`/_emulator/instances/${slow.ana.instanceName}/receipt`, {
    keyId,
    status,
  });
  expect(res.status).toBe(200);
}

/** The message's send job has ended: nothing more can be sent for it. */
async function sendJobEnded(id: string): Promise<void> {
  const state = async () => {
    const job = await slow.service.runtime.messages.queue.getJob(`send-${id}`);
    return job ? await job.getState() : 'removed';
  };
  await waitFor(state, (s) => !/delayed|waiting|active|prioritized/.test(s), {
    what: 'the send job ended',
    timeoutMs: UNCERTAIN_WAIT_MS + SLOW_GATEWAY_LATENCY_MS + 10_000,
  });
}

/** Webhooks the emulator sent about this Evolution id that the service answered (stored or applied). */
async function answeredWebhooksAbout(keyId: string): Promise<number> {
  const res = await slow.ana.emulator.get(`/_emulator/instances/${slow.ana.instanceName}/webhooks`);
  return (res.body as { messageId: string | null; outcome: string }[]).filter(
    (w) => w.messageId === keyId && w.outcome === 'delivered',
  ).length;
}

/** Waits until `n` webhooks about `keyId` were answered and every stored event was applied. */
async function webhooksApplied(keyId: string, n: number): Promise<void> {
  await waitFor(
    () => answeredWebhooksAbout(keyId),
    (answered) => answered >= n,
    { what: `${n} webhooks about ${keyId} answered` },
  );
  const db = slow.service.runtime.ctx.db;
  await waitFor(
    async () =>
      (
        await db
          .select({ n: count() })
          .from(webhookEvent)
          .where(and(eq(webhookEvent.advisorId, slow.ana.userId), isNull(webhookEvent.processedAt)))
      )[0]!.n,
    (unprocessed) => unprocessed === 0,
    { what: 'every stored webhook event applied' },
  );
}

/**
 * The retry is confirmed by its own echo (an id other than the failed attempt's), its job ends,
 * and the phone holds two copies (the failed send and the retry), not three. The retry's id.
 */
async function sentOnceMore(id: string, failedAttempt: string, text: string): Promise<string> {
  const confirmed = await waitFor(
    () => row(id),
    (m) => m?.evolutionMessageId != null && m.evolutionMessageId !== failedAttempt,
    { what: 'the echo confirming the retry', timeoutMs: 10_000 },
  );
  expect(confirmed!.status).toBe('sent');
  await sendJobEnded(id);
  const copies = await copiesOf(text);
  expect(copies).toHaveLength(2);
  const retryAttempt = copies[1].id as string;
  expect((await row(id))!.evolutionMessageId).toBe(retryAttempt);
  return retryAttempt;
}

describe('a retry of a message WhatsApp failed', () => {
  it('reaches the client once more, not twice, when its answer is lost', async () => {
    const { ana } = slow;
    const text = 'Tu plan de comidas de la semana (reintento)';
    const { id, failedAttempt } = await failedAfterSending('+34612000831', text);

    // The gateway is slow now: the retry's answer never reaches us, only its echo.
    await ana.emulator.put('/_emulator/faults', { statusDelaysMs: null, latencyMs: SLOW_GATEWAY_LATENCY_MS });
    const retried = await ana.client.post(`/api/whatsapp/messages/${id}/retry`);
    expect(retried.status).toBe(202);
    // The retry is a new send: the failed attempt's id and time are not its.
    expect(retried.body.message).toMatchObject({ status: 'queued', evolutionMessageId: null, sentAt: null });
    await sentOnceMore(id, failedAttempt, text);
  });

  it("takes no late echo or receipt of the failed attempt for the retry's", async () => {
    const { ana } = slow;
    const db = slow.service.runtime.ctx.db;
    const to = '+34612000832';
    const text = 'Recuerda traer tus análisis a la consulta (reintento)';
    const { id, failedAttempt } = await failedAfterSending(to, text);
    // The failed attempt's own echo and ERROR receipt answered (an echo that beat its send's
    // record is answered after its grace): what comes about it from now on is late.
    await waitFor(
      () => answeredWebhooksAbout(failedAttempt),
      (n) => n >= 2,
      { what: "the failed attempt's echo and receipt answered" },
    );
    const answeredBefore = await answeredWebhooksAbout(failedAttempt);

    // The retry's attempt is in flight behind the slow gateway when the failed attempt's echo
    // and receipts come late (Evolution retrying its webhooks, an echo held for its grace).
    await ana.emulator.put('/_emulator/faults', { statusDelaysMs: null, latencyMs: SLOW_GATEWAY_LATENCY_MS });
    expect((await ana.client.post(`/api/whatsapp/messages/${id}/retry`)).status).toBe(202);
    const echo = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/emit`, {
      event: 'SEND_MESSAGE',
      data: {
        key: { remoteJid: `${to.slice(1)}@s.whatsapp.net`, fromMe: true, id: failedAttempt },
        pushName: 'Você',
        status: 'PENDING',
        message: { conversation: text },
        messageType: 'conversation',
        messageTimestamp: Math.floor(Date.now() / 1000),
        source: 'web',
      },
    });
    expect(echo.status).toBe(200);
    await receipt(failedAttempt, 'DELIVERY_ACK');
    await webhooksApplied(failedAttempt, answeredBefore + 2);
    // Not taken for the retry: the row does not hold the old id, and is not delivered by its
    // receipt (it is still waiting, or already confirmed by the retry's own echo).
    const meanwhile = (await row(id))!;
    expect(meanwhile.evolutionMessageId).not.toBe(failedAttempt);
    expect(['queued', 'sending', 'sent']).toContain(meanwhile.status);

    const retryAttempt = await sentOnceMore(id, failedAttempt, text);

    // The retry's own receipts apply; the failed attempt's, however late, change nothing.
    await ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    await receipt(retryAttempt, 'DELIVERY_ACK');
    await waitFor(
      () => row(id),
      (m) => m?.status === 'delivered',
      { what: "the retry's delivery receipt" },
    );
    await receipt(failedAttempt, 'ERROR');
    await webhooksApplied(failedAttempt, answeredBefore + 3);
    expect(await row(id)).toMatchObject({ status: 'delivered', evolutionMessageId: retryAttempt });
    // Nor did the old echo become a message of its own.
    const [rows] = await db
      .select({ n: count() })
      .from(whatsappMessage)
      .where(and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.text, text)));
    expect(rows!.n).toBe(1);
  });
});
