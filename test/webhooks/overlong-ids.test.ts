// A message id longer than any WhatsApp gives (theirs are 16–40 characters) used to be accepted
// with 200 and then lost: the row's id went into a unique index (whatsapp_message, the receipt
// tables), PostgreSQL refused an index entry that large, and the webhook job failed every
// attempt. Found by review. Such an id is now refused up front (400), and the longest id the
// service takes is still stored and applied, on both databases.
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_ID_MAX } from '../../src/gateway/webhook-schemas.js';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  footprint,
  postWebhook,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana Ids Largos');
});
afterAll(async () => {
  await service?.close();
});

// Random, so PostgreSQL cannot compress the index entry below its limit.
const randomId = (length: number) => randomBytes(length).toString('base64url').slice(0, length);

const post = (event: string, data: unknown) =>
  postWebhook(service, JSON.stringify(envelope(ana.instanceName, event, data)), {
    authorization: `Bearer ${webhookJwt(ana.secret)}`,
  });

describe('message ids in webhooks', () => {
  it('refuses an id longer than any WhatsApp gives with 400, storing nothing', async () => {
    const before = await footprint(service, ana.userId);
    const tooLong = randomId(3_000);
    const inbound = await post('messages.upsert', upsertData('+34615200001', 'Hola', tooLong));
    const receipt = await post('messages.update', {
      keyId: tooLong,
      remoteJid: '34615200001@s.whatsapp.net',
      fromMe: true,
      status: 'DELIVERY_ACK',
    });
    const deleted = await post('messages.delete', {
      id: tooLong,
      remoteJid: '34615200001@s.whatsapp.net',
      fromMe: false,
    });
    for (const res of [inbound, receipt, deleted]) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_webhook_payload');
      expect(JSON.stringify(res.body.error.details)).toMatch(/"path":"(key\.)?(id|keyId)"/);
    }
    expect(await footprint(service, ana.userId)).toEqual(before);
  });

  it('stores and applies an id of the longest length taken, in characters of four bytes', async () => {
    // 𝄞 is four bytes in UTF-8: the id's index entry is as large as an accepted one can be.
    const longest = '𝄞'.repeat(MESSAGE_ID_MAX - 8) + randomId(8);
    expect([...longest].length).toBeLessThanOrEqual(MESSAGE_ID_MAX);
    const res = await post('messages.upsert', upsertData('+34615200002', 'Hola con id largo', longest));
    expect(res.status).toBe(200);
    const stored = await waitFor(
      () =>
        service.database.db
          .select({ id: whatsappMessage.id })
          .from(whatsappMessage)
          .where(
            and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.evolutionMessageId, longest)),
          ),
      (rows) => rows.length === 1,
      { what: 'the inbound message with the longest id' },
    );
    expect(stored).toHaveLength(1);
  });
});
