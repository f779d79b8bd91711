// Events stored by one batch insert are processed by one job: the batch is read once and marked
// done once; an event that can never be applied is closed with its reason; one already processed
// is left alone. The echoes of our own sends that change nothing are found in one read and
// closed without the per-event path; the others (a lost send answer to adopt) still take it. The sweeper, which re-enqueues events whose job Redis lost, leaves alone the
// events a live batch job still holds (a backlog is not a loss).
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimForSending, findMessage, markSent } from '../../src/db/repositories/message.repository.js';
import {
  insertWebhookEvents,
  listUnprocessedWebhookEventsByIds,
} from '../../src/db/repositories/webhook-event.repository.js';
import { webhookEvent, whatsappMessage } from '../../src/db/schema/index.js';
import { processWebhookBatch } from '../../src/domain/webhooks/process-webhook-batch.js';
import { parseStoredEvent, processWebhookEvent } from '../../src/domain/webhooks/process-webhook-event.js';
import { settledEchoRows } from '../../src/domain/webhooks/settled-echoes.js';
import { sweepWebhookEvents } from '../../src/domain/webhooks/sweep-webhook-events.js';
import { webhookJobId } from '../../src/jobs/catalogue.js';
import { createRedis } from '../../src/jobs/redis.js';
import { BullMqWebhookQueue } from '../../src/jobs/webhook-queue.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { deletePrefix, startTestService, type TestService } from '../support/service.js';
import {
  connectedAdvisor,
  envelope,
  sendEchoEnvelope,
  upsertData,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  // The test hands events to the processor itself: keep the service's sweeper out of the way.
  service = await startTestService({ env: { SWEEPER_INTERVAL_MS: '3600000' } });
  ana = await connectedAdvisor(service, 'Ana');
  bea = await connectedAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const inbound = (n: number, at: Date) => ({
  advisorId: ana.userId,
  event: 'messages.upsert',
  payload: envelope(
    ana.instanceName,
    'messages.upsert',
    upsertData(`+3469900${1000 + n}`, `Hola ${n}`, `3ABATCH${n}`),
  ),
  receivedAt: at,
});

describe('a batch job', () => {
  it('applies its events, closes an unusable one with the reason and skips a processed one', async () => {
    const { ctx } = service.runtime;
    const now = new Date();
    const rows = [
      ...Array.from({ length: 6 }, (_, n) => inbound(n, now)),
      // What a stored event looks like to a parser that changed since: no event name.
      {
        advisorId: ana.userId,
        event: 'messages.upsert',
        payload: { instance: ana.instanceName },
        receivedAt: now,
      },
      inbound(6, now),
    ];
    const ids = await insertWebhookEvents(ctx.db, rows);
    // The last one was processed already (a duplicate job, the sweeper): it must be skipped.
    expect(await processWebhookEvent(ctx, ana.userId, ids[7]!, { finalAttempt: false })).toBe('processed');

    const outcome = await processWebhookBatch(ctx, ids, service.runtime.webhookQueue);
    expect(outcome).toEqual({ processed: 6, givenUp: 1, retried: 0, skipped: 1 });

    const stored = await ctx.db.select().from(webhookEvent).where(inArray(webhookEvent.id, ids));
    expect(stored.every((r) => r.processedAt !== null)).toBe(true);
    expect(stored.find((r) => r.id === ids[6])!.error).toMatch(/^WebhookParseError: /);
    expect(stored.filter((r) => r.error !== null)).toHaveLength(1);
    const messages = await ctx.db
      .select()
      .from(whatsappMessage)
      .where(
        inArray(
          whatsappMessage.evolutionMessageId,
          [0, 1, 2, 3, 4, 5, 6].map((n) => `3ABATCH${n}`),
        ),
      );
    expect(messages).toHaveLength(7);
    expect(messages.every((m) => m.direction === 'inbound' && m.advisorId === ana.userId)).toBe(true);

    // Running the same batch again changes nothing.
    expect(await processWebhookBatch(ctx, ids, service.runtime.webhookQueue)).toEqual({
      processed: 0,
      givenUp: 0,
      retried: 0,
      skipped: 8,
    });
  });
});

/** Evolution's SEND_MESSAGE echo of a text we sent, as stored. */
const echo = (advisor: ConnectedAdvisor, phone: string, text: string, id: string) => ({
  advisorId: advisor.userId,
  event: 'send.message',
  payload: sendEchoEnvelope(advisor.instanceName, phone, text, id),
  receivedAt: new Date(),
});

describe('echoes of our own sends in a batch', () => {
  it('closes those that change nothing in one read, and adopts a lost send the full way', async () => {
    const { ctx } = service.runtime;
    // Recorded as sent by the worker before its echo came: the echo changes nothing.
    const done = await unqueuedTextRow(ctx.db, ana.userId, '+34612000201', 'Recordatorio 1');
    await claimForSending(ctx.db, ana.userId, done.id);
    const sentRow = await markSent(ctx.db, ana.userId, done.id, {
      evolutionMessageId: '3AECHO-SENT',
      chatJid: '34612000201@s.whatsapp.net',
      at: new Date(),
    });
    // Claimed, sent by Evolution, but the answer never came back: its echo must adopt it.
    const lost = await unqueuedTextRow(ctx.db, ana.userId, '+34612000202', 'Recordatorio 2');
    await claimForSending(ctx.db, ana.userId, lost.id);
    // Bea's message, already sent; an echo stored for Ana that names its id must not be settled
    // by Bea's row (nor change it): each advisor's echoes are looked up in their own messages.
    const beas = await unqueuedTextRow(ctx.db, bea.userId, '+34612000203', 'Recordatorio 3');
    await claimForSending(ctx.db, bea.userId, beas.id);
    const beaSent = await markSent(ctx.db, bea.userId, beas.id, {
      evolutionMessageId: '3AECHO-BEA',
      chatJid: '34612000203@s.whatsapp.net',
      at: new Date(),
    });

    const ids = await insertWebhookEvents(ctx.db, [
      echo(ana, '+34612000201', 'Recordatorio 1', '3AECHO-SENT'),
      echo(ana, '+34612000202', 'Recordatorio 2', '3AECHO-LOST'),
      echo(ana, '+34612000203', 'Recordatorio 3', '3AECHO-BEA'),
      inbound(300, new Date()),
    ]);
    const rows = await listUnprocessedWebhookEventsByIds(ctx.db, ids);
    const parsed = new Map(rows.map((row) => [row.id, parseStoredEvent(row)]));
    expect([...(await settledEchoRows(ctx, rows, parsed))]).toEqual([ids[0]]);

    expect(await processWebhookBatch(ctx, ids, service.runtime.webhookQueue)).toEqual({
      processed: 4,
      givenUp: 0,
      retried: 0,
      skipped: 0,
    });
    expect(await findMessage(ctx.db, ana.userId, done.id)).toEqual(sentRow);
    const adopted = await findMessage(ctx.db, ana.userId, lost.id);
    expect(adopted).toMatchObject({ status: 'sent', evolutionMessageId: '3AECHO-LOST' });
    expect(await findMessage(ctx.db, bea.userId, beas.id)).toEqual(beaSent);
    const stored = await ctx.db.select().from(webhookEvent).where(inArray(webhookEvent.id, ids));
    expect(stored.every((r) => r.processedAt !== null && r.error === null)).toBe(true);
  });
});

describe('the webhook sweeper', () => {
  it('re-enqueues the events no job holds, and leaves those a live batch job holds', async () => {
    const { ctx } = service.runtime;
    // A queue of its own with no worker: jobs stay waiting, as behind a backlog.
    const prefix = `${service.config.redis.prefix}_sweep`;
    const redis = createRedis(service.config.redis.url, 'worker');
    const queue = new BullMqWebhookQueue(redis, prefix);
    try {
      const old = new Date(Date.now() - 60_000);
      const ids = await insertWebhookEvents(
        ctx.db,
        Array.from({ length: 5 }, (_, n) => inbound(100 + n, old)),
      );
      const refs = ids.map((eventId) => ({ eventId, advisorId: ana.userId }));
      await queue.enqueueBatch(refs.slice(0, 3));
      const held = await queue.liveEventIds();
      expect(ids.slice(0, 3).every((id) => held.has(id))).toBe(true);

      await sweepWebhookEvents(ctx, queue);
      for (const id of ids.slice(3)) expect(await queue.queue.getJob(webhookJobId(id))).toBeTruthy();
      for (const id of ids.slice(0, 3)) expect(await queue.queue.getJob(webhookJobId(id))).toBeFalsy();
      const live = await queue.liveEventIds();
      expect(ids.every((id) => live.has(id))).toBe(true);
    } finally {
      await queue.close();
      await redis.quit();
      await deletePrefix(service.config.redis.url, prefix);
    }
  });
});
