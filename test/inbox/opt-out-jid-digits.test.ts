// WhatsApp's JIDs leave out digits that our E.164 numbers keep: Argentina's mobile 9
// (+54 9 11 2345-6789 is 541123456789@s.whatsapp.net) and, on older accounts, Brazil's 9th digit
// (+55 31 98765-4321 is 553187654321@s.whatsapp.net). What comes back from WhatsApp must be filed
// under the number we send to: an opt-out, a reply, a send's echo.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { whatsappClient } from '../../src/db/schema/index.js';
import { HttpClient } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import {
  SLOW_GATEWAY_LATENCY_MS as GATEWAY_LATENCY_MS,
  useSlowGatewayService,
} from '../support/slow-gateway.js';

const UNCERTAIN_WAIT_MS = 4_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS);
let emulator: HttpClient;
beforeAll(() => {
  emulator = new HttpClient(slow.service.emulatorUrl);
});

const optedOutPhones = async () =>
  (
    await slow.service.database.db
      .select({ phone: whatsappClient.phone })
      .from(whatsappClient)
      .where(and(eq(whatsappClient.advisorId, slow.ana.userId), eq(whatsappClient.optedOut, true)))
  ).map((row) => row.phone);

async function clientWrites(from: string, text: string) {
  const res = await emulator.post(`/_emulator/instances/${slow.ana.instanceName}/inbound`, { from, text });
  expect(res.status).toBe(201);
}

describe('numbers whose JID drops a digit', () => {
  it.each([
    ['+5491123456789', ['+54 9 11 2345 6789', '+54 11 2345-6789']],
    ['+5493514123456', ['+54 9 351 412-3456']],
    ['+5531987654321', ['+55 31 98765 4321', '+55 (31) 98765-4321']],
  ])(
    'a client %s who wrote STOP is opted out under that number, and sends to them are refused',
    async (phone, typed) => {
      const before = await optedOutPhones();
      await clientWrites(phone, 'STOP');
      const after = await waitFor(optedOutPhones, (phones) => phones.length > before.length, {
        what: `${phone} opted out`,
      });
      expect(after.filter((p) => !before.includes(p))).toEqual([phone]);
      for (const to of typed) {
        const send = await slow.ana.client.post('/api/whatsapp/send', { to, text: 'recordatorio' });
        expect(send.status, to).toBe(422);
        expect(send.body.error.code, to).toBe('recipient_opted_out');
      }
    },
  );

  it("a Brazilian client's reply joins the conversation we started", async () => {
    const phone = '+5531988887777';
    const send = await slow.ana.client.post('/api/whatsapp/send', { to: '+55 31 98888 7777', text: 'Olá!' });
    expect(send.status).toBe(202);
    // Sent before the client answers: a conversation's last message is the one exchanged last, and
    // on a busy machine the send could otherwise go out after the reply and be the last one.
    await waitFor(
      () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, send.body.message.id),
      (row) => row?.sentAt != null,
      { what: 'our message sent' },
    );
    await clientWrites(phone, 'Oi, tudo bem?');
    const items = await waitFor(
      async () => (await slow.ana.client.get('/api/whatsapp/conversations?limit=200')).body.items as any[],
      (list) => list.some((c) => c.lastMessage?.text === 'Oi, tudo bem?'),
      { what: 'the reply in a conversation' },
    );
    const phones = items.map((c) => c.phone);
    expect(phones.filter((p) => p === phone)).toHaveLength(1);
    expect(phones).not.toContain('+553188887777');
  });

  it('an Argentine send that outlasts the timeout is adopted from its echo and reaches the client once', async () => {
    const text = 'Slow gateway, Argentine number';
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const res = await slow.ana.client.post('/api/whatsapp/send', { to: '+54 9 351 412 3457', text });
    expect(res.status).toBe(202);
    try {
      await waitFor(
        () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, res.body.message.id),
        (row) => row?.status === 'queued' && row.attempts === 1,
        { what: 'released after the timeout' },
      );
      await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
      await new Promise((r) => setTimeout(r, UNCERTAIN_WAIT_MS + GATEWAY_LATENCY_MS));
    } finally {
      await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    }
    const copies = (await sentByPhone(slow.ana)).filter((m) => m.text === text);
    expect(copies).toHaveLength(1);
    const row = await findMessage(slow.service.runtime.ctx.db, slow.ana.userId, res.body.message.id);
    expect(row).toMatchObject({ phone: '+5493514123457', attempts: 1 });
    expect(row?.status).not.toBe('queued');
  }, 60_000);
});
