// Delivery receipts after a send: MESSAGES_UPDATE flat payloads in order of the configured delays, the same
// statuses readable with findStatusMessage, and receipts held while the phone is offline.
import { afterEach, describe, expect, it } from 'vitest';

import {
  createInstance,
  openInstance,
  poll,
  startTestEmulator,
  type TestEmulator,
} from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await emulator?.close();
  await receiver?.close();
});

async function setup(statusDelaysMs: { serverAck: number; deliveryAck: number; read: number } | null) {
  emulator = await startTestEmulator({ statusDelaysMs });
  receiver = await startReceiver();
  const { instanceId } = await createInstance(emulator, 'acks', {
    webhook: { enabled: true, url: receiver.url, events: ['SEND_MESSAGE', 'MESSAGES_UPDATE'] },
  });
  return instanceId;
}

const statusesOf = (r: WebhookReceiver, keyId: string): string[] =>
  r
    .events('messages.update')
    .map((x) => x.body.data as { keyId: string; status: string })
    .filter((d) => d.keyId === keyId)
    .map((d) => d.status);

describe('receipts', () => {
  it('sends SERVER_ACK → DELIVERY_ACK → READ with the flat payload', async () => {
    const instanceId = await setup({ serverAck: 10, deliveryAck: 30, read: 30 });
    const sent = await emulator!.call('POST', '/message/sendText/acks', {
      body: { number: '5531987654321', text: 'hi' },
    });
    const keyId = sent.body.key.id as string;
    await receiver!.waitFor(() => statusesOf(receiver!, keyId).length === 3);
    const updates = receiver!.events('messages.update');
    // Deliveries are not awaited, so arrival order is not guaranteed; the emission order shows in the rows below.
    expect(statusesOf(receiver!, keyId).sort()).toEqual(['DELIVERY_ACK', 'READ', 'SERVER_ACK']);
    const first = updates.find((u) => (u.body.data as { status: string }).status === 'SERVER_ACK')!.body
      .data as Record<string, unknown>;
    expect(first).toEqual({
      keyId,
      remoteJid: '553187654321@s.whatsapp.net',
      fromMe: true,
      status: 'SERVER_ACK',
      instanceId,
      messageId: expect.any(String),
    });
    expect(new Set(updates.map((u) => (u.body.data as { messageId: string }).messageId)).size).toBe(1);

    const rows = (
      await emulator!.call('POST', '/chat/findStatusMessage/acks', {
        body: { where: { remoteJid: '553187654321@s.whatsapp.net', id: keyId }, page: 1, offset: 10 },
      })
    ).body as { status: string; keyId: string }[];
    expect(rows.map((r) => r.status)).toEqual(['SERVER_ACK', 'DELIVERY_ACK', 'READ']);
    expect(rows[0]).toMatchObject({ keyId, fromMe: true, instanceId });
  });

  it('sends no receipts when statusDelaysMs is null, but the control API can push one', async () => {
    await setup(null);
    const sent = await emulator!.call('POST', '/message/sendText/acks', {
      body: { number: '34612345678', text: 'x' },
    });
    const keyId = sent.body.key.id as string;
    await receiver!.waitFor((r) => r.some((x) => x.body.event === 'send.message'));
    expect((await emulator!.call('GET', '/_emulator/stats', { apikey: null })).body.pendingTimers).toBe(0);
    expect(statusesOf(receiver!, keyId)).toEqual([]);
    const pushed = await emulator!.call('POST', '/_emulator/instances/acks/receipt', {
      body: { keyId, status: 'DELIVERY_ACK' },
      apikey: null,
    });
    expect(pushed.status).toBe(200);
    await receiver!.waitFor(() => statusesOf(receiver!, keyId).length === 1);
    expect(statusesOf(receiver!, keyId)).toEqual(['DELIVERY_ACK']);
  });

  it('holds receipts while the phone is logged out and delivers them after it is back', async () => {
    await setup({ serverAck: 5, deliveryAck: 40, read: 1_000 });
    const sent = await emulator!.call('POST', '/message/sendText/acks', {
      body: { number: '34612345678', text: 'x' },
    });
    const keyId = sent.body.key.id as string;
    await receiver!.waitFor(() => statusesOf(receiver!, keyId).includes('SERVER_ACK'));
    await emulator!.call('POST', '/_emulator/instances/acks/disconnect', {
      body: { statusReason: 401 },
      apikey: null,
    });
    const rows = () =>
      emulator!
        .call('POST', '/chat/findStatusMessage/acks', { body: { where: { id: keyId } } })
        .then((r) => r.body);
    // Once no timer is pending, DELIVERY_ACK fell due while offline: it must wait for the phone.
    await poll(
      async () => (await emulator!.call('GET', '/_emulator/stats', { apikey: null })).body.pendingTimers,
      (pending) => pending === 0,
      { what: 'DELIVERY_ACK due' },
    );
    expect((await rows()).map((r: { status: string }) => r.status)).toEqual(['SERVER_ACK']);
    await openInstance(emulator!, 'acks');
    await poll(rows, (r) => r.length === 2, { what: 'DELIVERY_ACK after reconnect' });
  });
});
