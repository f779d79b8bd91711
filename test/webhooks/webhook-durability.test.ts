// Nothing acknowledged is lost and nothing is applied twice: receipts that overtake the send
// response are parked and applied later, events whose job vanished are re-enqueued by the
// sweeper, reprocessing is harmless, failures are retried and finally kept with their error.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMessage } from '../../src/db/repositories/message.repository.js';
import { findWebhookEvent, insertWebhookEvents } from '../../src/db/repositories/webhook-event.repository.js';
import { pendingReceipt, webhookEvent, whatsappClient, whatsappMessage } from '../../src/db/schema/index.js';
import type { DomainContext } from '../../src/domain/context.js';
import { deliverMessage } from '../../src/domain/messages/deliver-message.js';
import { processWebhookEvent } from '../../src/domain/webhooks/process-webhook-event.js';
import { pruneWebhookData } from '../../src/domain/webhooks/sweep-webhook-events.js';
import type { WhatsAppGateway } from '../../src/gateway/index.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  postWebhook,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  // A fast sweeper, so the crash-recovery path is visible within a test.
  service = await startTestService({ env: { SWEEPER_INTERVAL_MS: '1000' } });
  emulator = new HttpClient(service.emulatorUrl);
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const db = () => service.database.db;
const inboundFrom = (phone: string) =>
  db()
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.phone, phone)));

describe('receipts that overtake the send response', () => {
  it('parks the receipt and applies it when the send worker records the id', async () => {
    const evolutionId = '3EB0PARKED0001';
    await emulator.post(`/_emulator/instances/${ana.instanceName}/emit`, {
      event: 'messages.update',
      data: {
        keyId: evolutionId,
        remoteJid: '34688000001@s.whatsapp.net',
        fromMe: true,
        status: 'DELIVERY_ACK',
      },
    });
    await waitFor(
      () => db().select().from(pendingReceipt).where(eq(pendingReceipt.advisorId, ana.userId)),
      (rows) => rows.some((r) => r.evolutionMessageId === evolutionId && r.status === 'delivered'),
      { what: 'the parked receipt' },
    );

    // The send whose response only now comes back with that id (gateway stubbed to return it).
    const message = await insertMessage(db(), ana.userId, {
      direction: 'outbound',
      phone: '+34688000001',
      type: 'text',
      text: 'hola',
      status: 'queued',
    });
    const gateway = {
      ...service.runtime.gateway,
      sendText: async () => ({
        evolutionMessageId: evolutionId,
        remoteJid: '34688000001@s.whatsapp.net',
        phone: '+34688000001',
        status: 'sent' as const,
        rawStatus: 'PENDING',
        timestamp: new Date(),
      }),
    } as WhatsAppGateway;
    const outcome = await deliverMessage({ ...service.runtime.ctx, gateway }, ana.userId, message.id);
    expect(outcome.kind).toBe('sent');
    const [row] = await db().select().from(whatsappMessage).where(eq(whatsappMessage.id, message.id));
    expect(row).toMatchObject({ status: 'delivered', evolutionMessageId: evolutionId });
    expect(row!.deliveredAt).not.toBeNull();
    const left = await db()
      .select()
      .from(pendingReceipt)
      .where(eq(pendingReceipt.evolutionMessageId, evolutionId));
    expect(left).toEqual([]);
  });

  it('never dates the send after the delivery that overtook its answer', async () => {
    // The delivery receipt is dated by its arrival; the send used to be dated by the moment its
    // answer was recorded, later. The message then read "delivered before it was sent", and the
    // metrics' sent-to-delivered time was negative (a median below 0 for an advisor whose
    // receipts often overtake, as they do under load).
    // An advisor of their own, so the metrics hold this one message only.
    const bea = await connectedAdvisor(service, 'Bea');
    const userId = bea.userId;
    const evolutionId = '3EB0PARKED0002';
    await emulator.post(`/_emulator/instances/${bea.instanceName}/emit`, {
      event: 'messages.update',
      data: {
        keyId: evolutionId,
        remoteJid: '34688000003@s.whatsapp.net',
        fromMe: true,
        status: 'DELIVERY_ACK',
      },
    });
    const [parked] = await waitFor(
      () => db().select().from(pendingReceipt).where(eq(pendingReceipt.evolutionMessageId, evolutionId)),
      (rows) => rows.length === 1,
      { what: 'the parked receipt' },
    );
    await new Promise((r) => setTimeout(r, 50)); // the send's answer comes back a moment later
    const message = await insertMessage(db(), userId, {
      direction: 'outbound',
      phone: '+34688000003',
      type: 'text',
      text: 'hola',
      status: 'queued',
    });
    const gateway = {
      ...service.runtime.gateway,
      sendText: async () => ({
        evolutionMessageId: evolutionId,
        remoteJid: '34688000003@s.whatsapp.net',
        phone: '+34688000003',
        status: 'sent' as const,
        rawStatus: 'PENDING',
        timestamp: new Date(),
      }),
    } as WhatsAppGateway;
    expect((await deliverMessage({ ...service.runtime.ctx, gateway }, userId, message.id)).kind).toBe('sent');
    const [row] = await db().select().from(whatsappMessage).where(eq(whatsappMessage.id, message.id));
    expect(row).toMatchObject({ status: 'delivered' });
    expect(row!.deliveredAt!.getTime()).toBe(parked!.at.getTime());
    expect(row!.sentAt!.getTime()).toBeLessThanOrEqual(row!.deliveredAt!.getTime());
    const metrics = await bea.client.get('/api/whatsapp/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.responseTime.sentToDelivered.median).toBeGreaterThanOrEqual(0);
  });

  it('ignores receipts for the client’s own messages (fromMe false)', async () => {
    await emulator.post(`/_emulator/instances/${ana.instanceName}/emit`, {
      event: 'messages.update',
      data: {
        keyId: '3A00INBOUNDREAD',
        remoteJid: '34688000002@s.whatsapp.net',
        fromMe: false,
        status: 'READ',
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const parked = await db()
      .select()
      .from(pendingReceipt)
      .where(eq(pendingReceipt.evolutionMessageId, '3A00INBOUNDREAD'));
    expect(parked).toEqual([]);
  });
});

describe('a crash between the acknowledgement and the queue', () => {
  it('acknowledges while the queue is down, and the sweeper processes the stored event later', async () => {
    const queue = service.runtime.webhookQueue;
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = async () => {
      throw new Error('Redis went away');
    };
    try {
      const body = JSON.stringify(
        envelope(ana.instanceName, 'messages.upsert', upsertData('+34688000010', 'perdido?', 'CRASH0001')),
      );
      const res = await postWebhook(service, body, { authorization: `Bearer ${webhookJwt(ana.secret)}` });
      expect(res.status).toBe(200);
    } finally {
      queue.enqueue = enqueue;
    }
    const rows = await waitFor(
      () => inboundFrom('+34688000010'),
      (r) => r.length === 1,
      {
        timeoutMs: 20_000,
        what: 'the sweeper to pick up the stored event',
      },
    );
    expect(rows[0]!.text).toBe('perdido?');
  });
});

describe('processing', () => {
  async function storeEvent(data: unknown, event = 'MESSAGES_UPSERT'): Promise<number> {
    const [id] = await insertWebhookEvents(db(), [
      {
        advisorId: ana.userId,
        event,
        payload: envelope(ana.instanceName, 'messages.upsert', data),
        receivedAt: new Date(),
      },
    ]);
    return id!;
  }

  it('is idempotent: processing an event again stores nothing twice and counts nothing twice', async () => {
    const id = await storeEvent(upsertData('+34688000020', 'una vez', 'IDEM0001'));
    expect(await processWebhookEvent(service.runtime.ctx, ana.userId, id, { finalAttempt: false })).toBe(
      'processed',
    );
    expect(await processWebhookEvent(service.runtime.ctx, ana.userId, id, { finalAttempt: false })).toBe(
      'already_processed',
    );
    // Even when the processed mark was lost (a crash right before it was written).
    await db().update(webhookEvent).set({ processedAt: null }).where(eq(webhookEvent.id, id));
    expect(await processWebhookEvent(service.runtime.ctx, ana.userId, id, { finalAttempt: false })).toBe(
      'processed',
    );
    expect(await inboundFrom('+34688000020')).toHaveLength(1);
    const [client] = await db()
      .select()
      .from(whatsappClient)
      .where(and(eq(whatsappClient.advisorId, ana.userId), eq(whatsappClient.phone, '+34688000020')));
    expect(client!.unread).toBe(1);
  });

  it('never processes another advisor’s event under a job naming the wrong advisor', async () => {
    const id = await storeEvent(upsertData('+34688000021', 'ajeno', 'IDEM0002'));
    expect(await processWebhookEvent(service.runtime.ctx, 'someone-else', id, { finalAttempt: true })).toBe(
      'missing',
    );
  });

  it('records the error and lets the job retry, then keeps the event with its error after the last attempt', async () => {
    const broken: DomainContext = {
      ...service.runtime.ctx,
      events: {
        ...service.runtime.ctx.events,
        publish: async () => {
          throw new Error('bus exploded');
        },
      },
    };
    const id = await storeEvent(upsertData('+34688000030', 'falla', 'FAIL0001'));
    await expect(processWebhookEvent(broken, ana.userId, id, { finalAttempt: false })).rejects.toThrow(
      'bus exploded',
    );
    let row = await findWebhookEvent(db(), ana.userId, id);
    expect(row).toMatchObject({ processedAt: null, error: 'Error: bus exploded' });

    expect(await processWebhookEvent(broken, ana.userId, id, { finalAttempt: true })).toBe('processed');
    // The message was stored by the first attempt; the retry found it and had nothing to publish.
    row = await findWebhookEvent(db(), ana.userId, id);
    expect(row!.processedAt).not.toBeNull();

    const id2 = await storeEvent(upsertData('+34688000031', 'falla', 'FAIL0002'));
    expect(await processWebhookEvent(broken, ana.userId, id2, { finalAttempt: true })).toBe('given_up');
    row = await findWebhookEvent(db(), ana.userId, id2);
    expect(row!.processedAt).not.toBeNull();
    expect(row!.error).toContain('bus exploded');
  });

  it('prunes processed events past retention and stale parked receipts, never unprocessed events', async () => {
    const old = new Date(Date.now() - 30 * 86_400_000);
    const [processedId, pendingId] = await insertWebhookEvents(db(), [
      { advisorId: ana.userId, event: 'MESSAGES_UPDATE', payload: {}, receivedAt: old },
      { advisorId: ana.userId, event: 'MESSAGES_UPDATE', payload: {}, receivedAt: old },
    ]);
    await db().update(webhookEvent).set({ processedAt: old }).where(eq(webhookEvent.id, processedId!));
    await db()
      .insert(pendingReceipt)
      .values({ advisorId: ana.userId, evolutionMessageId: 'STALE', status: 'read', at: old });
    // Keep the sweeper from processing the unprocessed one meanwhile: prune right away.
    await pruneWebhookData(service.runtime.ctx);
    expect(await findWebhookEvent(db(), ana.userId, processedId!)).toBeNull();
    expect(await findWebhookEvent(db(), ana.userId, pendingId!)).not.toBeNull();
    expect(
      await db().select().from(pendingReceipt).where(eq(pendingReceipt.evolutionMessageId, 'STALE')),
    ).toEqual([]);
  });
});
