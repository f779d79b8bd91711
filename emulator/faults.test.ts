// Fault injection through PUT /_emulator/faults, and reset.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createInstance, poll, startTestEmulator, type TestEmulator } from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator();
  receiver = await startReceiver();
  await createInstance(emulator, 'faulty', {
    webhook: { enabled: true, url: receiver.url, events: ['SEND_MESSAGE'] },
  });
});

beforeEach(async () => {
  await emulator.call('DELETE', '/_emulator/faults', { apikey: null });
  receiver.requests.length = 0;
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

const faults = (body: Record<string, unknown>) =>
  emulator.call('PUT', '/_emulator/faults', { body, apikey: null });
const send = (number = '34612345678') =>
  emulator.call('POST', '/message/sendText/faulty', { body: { number, text: 'x' } });

describe('faults', () => {
  it('merges partial updates and shows them back', async () => {
    await faults({ latencyMs: 5 });
    const merged = await faults({ errorRate: 0.5 });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ latencyMs: 5, errorRate: 0.5, dropWebhookRate: 0 });
    expect((await emulator.call('GET', '/_emulator/faults', { apikey: null })).body).toEqual(merged.body);
    expect((await faults({ errorRate: 2 })).status).toBe(400);
    expect((await faults({ bogus: true })).status).toBe(400);
  });

  it('sendTimeoutRate 1 answers sends with the 400 of a WhatsApp query timing out, nothing relayed', async () => {
    await faults({ sendTimeoutRate: 1 });
    const before = (await emulator.call('GET', '/_emulator/instances/faulty/sent', { apikey: null })).body
      .length;
    const reply = await send();
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      status: 400,
      error: 'Bad Request',
      response: { message: ['Error: Timed Out'] },
    });
    expect(
      (await emulator.call('GET', '/_emulator/instances/faulty/sent', { apikey: null })).body,
    ).toHaveLength(before);
    // Only sends: the instance's other routes answer as usual.
    expect((await emulator.call('GET', '/instance/connectionState/faulty')).status).toBe(200);
    await emulator.call('DELETE', '/_emulator/faults', { apikey: null });
    expect((await send()).status).toBe(201);
  });

  it('errorRate 1 turns calls into the gateway’s unexpected-error 500', async () => {
    await faults({ errorRate: 1 });
    const reply = await send();
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({
      status: 500,
      error: 'Internal Server Error',
      response: { message: 'Timed Out' },
    });
    // connect catches its own errors and answers 200 {error:true}.
    const connect = await emulator.call('GET', '/instance/connect/faulty');
    expect(connect.status).toBe(200);
    expect(connect.body).toEqual({ error: true, message: 'Error: Timed Out' });
    // Guards still run first.
    expect((await emulator.call('GET', '/instance/connectionState/ghost')).status).toBe(404);
    await emulator.call('DELETE', '/_emulator/faults', { apikey: null });
    expect((await send()).status).toBe(201);
  });

  it('notOnWhatsApp makes a number unknown in every spelling', async () => {
    await faults({ notOnWhatsApp: ['+55 31 98765-4321'] });
    const reply = await send('5531987654321');
    expect(reply.status).toBe(400);
    expect(reply.body.response.message).toEqual([
      { jid: '553187654321@s.whatsapp.net', exists: false, number: '5531987654321' },
    ]);
    expect((await send('34612345678')).status).toBe(201);
  });

  it('duplicateWebhookRate 1 delivers every event twice', async () => {
    await faults({ duplicateWebhookRate: 1 });
    const sent = await send();
    await receiver.waitFor((r) => r.length >= 2);
    expect(receiver.requests.map((r) => (r.body.data as { key: { id: string } }).key.id)).toEqual([
      sent.body.key.id,
      sent.body.key.id,
    ]);
  });

  it('dropWebhookRate 1 sends nothing but logs the drop', async () => {
    await faults({ dropWebhookRate: 1 });
    const sent = await send();
    expect(sent.status).toBe(201);
    const log = (await emulator.call('GET', '/_emulator/instances/faulty/webhooks', { apikey: null })).body;
    expect(log.at(-1)).toMatchObject({ event: 'send.message', outcome: 'dropped', attempt: 0 });
    expect(receiver.requests).toHaveLength(0);
  });

  it('latencyMs delays Evolution API answers', async () => {
    await faults({ latencyMs: 60 });
    const started = Date.now();
    await emulator.call('GET', '/instance/connectionState/faulty');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('reorderWebhooks hands events to delivery in an order other than emitted, and loses none', async () => {
    // Seeded dice: the shuffle is the same on every run, so this test cannot pass by luck.
    const seeded = await startTestEmulator({ randomSeed: 7 });
    const seen = await startReceiver();
    const dispatchOrder = async (): Promise<{ emitted: string[]; dispatched: string[] }> => {
      const emitted = (
        await seeded.call<{ id: string }[]>('GET', '/_emulator/instances/shuffled/sent', { apikey: null })
      ).body.map((r) => r.id);
      const log = await poll(
        async () =>
          (
            await seeded.call<{ deliveryId: number; attempt: number; messageId: string }[]>(
              'GET',
              '/_emulator/instances/shuffled/webhooks?event=send.message',
              { apikey: null },
            )
          ).body.filter((a) => a.attempt === 1),
        (attempts) => attempts.length === emitted.length,
      );
      // Delivery ids are numbered as the dispatcher hands events over; arrival order over several
      // sockets is not, so it proves nothing.
      const dispatched = log.sort((a, b) => a.deliveryId - b.deliveryId).map((a) => a.messageId);
      return { emitted, dispatched };
    };
    const sendEight = () =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          seeded.call('POST', '/message/sendText/shuffled', {
            body: { number: '34612345678', text: `m${i}` },
          }),
        ),
      );
    try {
      await createInstance(seeded, 'shuffled', {
        webhook: { enabled: true, url: seen.url, events: ['SEND_MESSAGE'] },
      });
      // Baseline: without the fault, events leave in the order they were emitted.
      await sendEight();
      const calm = await dispatchOrder();
      expect(calm.dispatched).toEqual(calm.emitted);

      await seeded.call('PUT', '/_emulator/faults', { body: { reorderWebhooks: true }, apikey: null });
      await sendEight();
      const { emitted, dispatched } = await dispatchOrder();
      const shuffled = { emitted: emitted.slice(8), dispatched: dispatched.slice(8) };
      expect(shuffled.emitted).toHaveLength(8);
      expect([...shuffled.dispatched].sort()).toEqual([...shuffled.emitted].sort());
      expect(shuffled.dispatched).not.toEqual(shuffled.emitted);
      await seen.waitFor((r) => r.length >= 16);
    } finally {
      await seeded.close();
      await seen.close();
    }
  });

  it('statusDelaysMs in faults overrides the option', async () => {
    await emulator.call('POST', '/webhook/set/faulty', {
      body: { webhook: { enabled: true, url: receiver.url, events: ['SEND_MESSAGE', 'MESSAGES_UPDATE'] } },
    });
    await faults({ statusDelaysMs: { serverAck: 1, deliveryAck: 1, read: 1 } });
    await send();
    await receiver.waitFor((r) => r.filter((x) => x.body.event === 'messages.update').length === 3);
  });
});

describe('reset', () => {
  it('drops instances, faults and counters', async () => {
    const other = await startTestEmulator();
    try {
      await createInstance(other, 'gone');
      await other.call('PUT', '/_emulator/faults', { body: { errorRate: 1 }, apikey: null });
      expect((await other.call('POST', '/_emulator/reset', { apikey: null })).status).toBe(200);
      expect((await other.call('GET', '/_emulator/instances', { apikey: null })).body).toEqual([]);
      expect((await other.call('GET', '/_emulator/faults', { apikey: null })).body.errorRate).toBe(0);
      const stats = await poll(
        async () => (await other.call('GET', '/_emulator/stats', { apikey: null })).body,
        (s) => s.instances === 0,
      );
      expect(stats.sends).toBe(0);
    } finally {
      await other.close();
    }
  });
});
