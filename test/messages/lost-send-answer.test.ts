// A send whose answer never came back (the worker was killed, or timed out, while Evolution was
// sending): Evolution's SEND_MESSAGE echo, over real HTTP from the emulator, gives the attempt its
// id and marks it sent, so the retry that follows finds it done instead of sending it twice.
// The dying worker is played step by step (claim, gateway call, no record) so the test is exact.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { claimForSending, findMessage } from '../../src/db/repositories/message.repository.js';
import { webhookEvent } from '../../src/db/schema/index.js';
import { instanceRefOf } from '../../src/domain/instances/instance-credentials.js';
import { deliverMessage } from '../../src/domain/messages/deliver-message.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('a send whose answer was lost', () => {
  it('is confirmed by its echo and not sent again by the retry', async () => {
    const { ctx } = service.runtime;
    const text = 'Tu cita es mañana a las 10:00 (respuesta perdida)';
    const lost = await unqueuedTextRow(service.runtime.ctx.db, ana.userId, '+34612000091', text);
    // Never tried yet, same recipient and text: must not take the echo's id.
    const untried = await unqueuedTextRow(service.runtime.ctx.db, ana.userId, '+34612000091', text);

    // The worker that dies: it claims the row and Evolution sends, but nothing is recorded.
    expect(await claimForSending(ctx.db, ana.userId, lost.id)).not.toBeNull();
    const ref = instanceRefOf(ctx.box, (await findConfig(ctx.db, ana.userId))!)!;
    const result = await ctx.gateway.sendText(ref, { number: '+34612000091', text });

    const confirmed = await waitFor(
      () => findMessage(ctx.db, ana.userId, lost.id),
      // Sent or further: on a slow machine the emulator's delivered and read receipts can land
      // between two polls, and `read` confirms the send as much as `sent` does.
      (row) => ['sent', 'delivered', 'read'].includes(row?.status ?? ''),
      { what: 'the echo confirming the lost send' },
    );
    expect(confirmed!.evolutionMessageId).toBe(result.evolutionMessageId);
    expect(confirmed!.sentAt).not.toBeNull();

    // The stalled job's retry.
    expect(await deliverMessage(ctx, ana.userId, lost.id)).toEqual({ kind: 'done' });
    const untouched = await findMessage(ctx.db, ana.userId, untried.id);
    expect(untouched).toMatchObject({ status: 'queued', evolutionMessageId: null });
    const phone = await sentByPhone(ana);
    expect(phone.filter((m) => m.text === text)).toHaveLength(1);
  });

  it('leaves every row alone when the echo matches no unconfirmed attempt', async () => {
    const { ctx } = service.runtime;
    const row = await unqueuedTextRow(service.runtime.ctx.db, ana.userId, '+34612000092', 'Otro texto');
    expect(await claimForSending(ctx.db, ana.userId, row.id)).not.toBeNull();
    const ref = instanceRefOf(ctx.box, (await findConfig(ctx.db, ana.userId))!)!;
    // A different text to the same number: its echo is not this row's.
    const result = await ctx.gateway.sendText(ref, { number: '+34612000092', text: 'Un texto distinto' });
    // Wait until the echo was processed, then check it changed nothing.
    await waitFor(
      () =>
        ctx.db
          .select({ processedAt: webhookEvent.processedAt })
          .from(webhookEvent)
          .where(sql`${webhookEvent.payload}::text like ${'%' + result.evolutionMessageId + '%'}`),
      (rows) => rows.length > 0 && rows.every((r) => r.processedAt !== null),
      { what: 'the echo processed' },
    );
    expect(await findMessage(ctx.db, ana.userId, row.id)).toMatchObject({
      status: 'sending',
      evolutionMessageId: null,
    });
  });
});
