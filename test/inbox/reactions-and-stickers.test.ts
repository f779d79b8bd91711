// What a MESSAGES_UPSERT carries that is not a message from the client: a reaction to one of the
// chat's messages (or its removal), a protocol notice (a revoke, an edit), an upsert with no
// message at all. Acknowledged, never a row in the inbox nor an unread. A sticker is a message:
// stored, unread, and named by its type. A location, a contact or a poll is one too, with a text
// that says what was shared.
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEvent } from '../../src/db/schema/index.js';
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
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const enc = encodeURIComponent;
const jid = (phone: string) => `${phone.slice(1)}@s.whatsapp.net`;
let seq = 0;

/** POSTs one MESSAGES_UPSERT as Ana's gateway would, signed with her instance's secret. */
async function upsert(phone: string, overrides: Record<string, unknown>) {
  const data = upsertData(phone, '', `NOTMSG${seq++}${Date.now()}`, overrides);
  const res = await postWebhook(
    service,
    JSON.stringify(envelope(ana.instanceName, 'messages.upsert', data)),
    {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
    },
  );
  expect(res).toEqual({ status: 200, body: { received: true } });
  return data.key.id;
}

/** Waits until every webhook event stored for Ana was applied by the worker. */
async function allApplied() {
  await waitFor(
    async () =>
      service.database.db
        .select({ id: webhookEvent.id })
        .from(webhookEvent)
        .where(and(eq(webhookEvent.advisorId, ana.userId), isNull(webhookEvent.processedAt))),
    (rows) => rows.length === 0,
    { what: "Ana's webhooks applied" },
  );
}

async function conversation(phone: string) {
  const list = (await ana.client.get('/api/whatsapp/conversations?limit=200')).body.items as any[];
  return list.find((c) => c.phone === phone);
}

async function messagesWith(phone: string): Promise<any[]> {
  return (await ana.client.get(`/api/whatsapp/conversations/${enc(phone)}/messages`)).body.items;
}

describe('what is not a message from the client', () => {
  it('a reaction, its removal, a protocol notice or an empty upsert: acknowledged, nothing stored', async () => {
    const phone = '+34645000001';
    const reacted = { remoteJid: jid(phone), fromMe: true, id: '3EB0B98534F69C6DFDB899' };
    const before = await footprint(service, ana.userId);
    const noise = [
      { message: { reactionMessage: { key: reacted, text: '👍' } }, messageType: 'reactionMessage' },
      { message: { reactionMessage: { key: reacted, text: '' } }, messageType: 'reactionMessage' },
      {
        message: { protocolMessage: { key: reacted, type: 'REVOKE' }, messageContextInfo: {} },
        messageType: 'protocolMessage',
      },
      {
        message: {
          editedMessage: { message: { protocolMessage: { key: reacted, type: 'MESSAGE_EDIT' } } },
        },
        messageType: 'editedMessage',
      },
      { message: undefined, messageType: 'unknown' },
      { message: { messageContextInfo: { deviceListMetadataVersion: 2 } }, messageType: 'unknown' },
      // The advisor reacting from the phone is no outbound message either.
      {
        key: { remoteJid: jid(phone), fromMe: true, id: `OWNREACT${Date.now()}` },
        pushName: null,
        message: { reactionMessage: { key: { ...reacted, fromMe: false }, text: '❤️' } },
        messageType: 'reactionMessage',
      },
    ];
    for (const overrides of noise) await upsert(phone, overrides);
    await allApplied();
    const after = await footprint(service, ana.userId);
    expect({ messages: after.messages, clients: after.clients }).toEqual({
      messages: before.messages,
      clients: before.clients,
    });
    expect(await conversation(phone)).toBeUndefined();

    // The client's next real message is the conversation's only one, and its only unread.
    await upsert(phone, { message: { conversation: 'gracias' } });
    await waitFor(
      () => conversation(phone),
      (c) => c !== undefined,
      { what: `conversation ${phone}` },
    );
    await upsert(phone, noise[0]!);
    await allApplied();
    expect(await conversation(phone)).toMatchObject({
      unread: 1,
      lastMessage: { direction: 'inbound', type: 'text', text: 'gracias' },
    });
    expect((await messagesWith(phone)).map((m) => [m.type, m.text])).toEqual([['text', 'gracias']]);
  });
});

describe('a sticker', () => {
  it('is a message from the client: stored as type "sticker", unread', async () => {
    const phone = '+34645000002';
    const id = await upsert(phone, {
      message: {
        stickerMessage: { url: 'https://mmg.whatsapp.net/s', mimetype: 'image/webp', isAnimated: false },
      },
      messageType: 'stickerMessage',
    });
    const conv = await waitFor(
      () => conversation(phone),
      (c) => c !== undefined,
      { what: `conversation ${phone}` },
    );
    expect(conv).toMatchObject({
      unread: 1,
      lastMessage: { direction: 'inbound', type: 'sticker', text: null, mimetype: 'image/webp' },
    });
    expect(await messagesWith(phone)).toEqual([
      expect.objectContaining({ evolutionMessageId: id, type: 'sticker', status: 'received' }),
    ]);
  });

  it('an animated sticker (lottie, wrapped in lottieStickerMessage) is a sticker too', async () => {
    const phone = '+34645000005';
    const id = await upsert(phone, {
      message: {
        lottieStickerMessage: {
          message: {
            stickerMessage: {
              url: 'https://mmg.whatsapp.net/l',
              mimetype: 'application/was',
              isLottie: true,
            },
          },
        },
      },
      messageType: 'lottieStickerMessage',
    });
    await allApplied();
    expect(await messagesWith(phone)).toEqual([
      expect.objectContaining({ evolutionMessageId: id, type: 'sticker', mimetype: 'application/was' }),
    ]);
  });
});

describe('a location, a contact card, a poll', () => {
  it('are messages from the client, stored as type "other" with a text that says what was shared', async () => {
    const phone = '+34645000003';
    const shared = [
      {
        message: {
          locationMessage: {
            degreesLatitude: 40.4168,
            degreesLongitude: -3.7038,
            name: 'Sol',
            address: 'Madrid',
          },
        },
        messageType: 'locationMessage',
      },
      {
        message: {
          contactMessage: {
            displayName: 'Luis',
            vcard:
              'BEGIN:VCARD\nVERSION:3.0\nFN:Luis Gil\nTEL;type=CELL;waid=34600111222:+34 600 11 12 22\nEND:VCARD',
          },
        },
        messageType: 'contactMessage',
      },
      {
        message: {
          pollCreationMessageV3: { name: '¿Martes o jueves?', options: [{ optionName: 'Martes' }] },
        },
        messageType: 'pollCreationMessageV3',
      },
    ];
    for (const overrides of shared) await upsert(phone, overrides);
    await allApplied();
    const texts = [
      '📍 Sol, Madrid\nhttps://maps.google.com/?q=40.4168,-3.7038',
      '👤 Luis · +34600111222',
      '📊 ¿Martes o jueves?\n• Martes',
    ];
    expect((await messagesWith(phone)).map((m) => [m.type, m.text]).sort()).toEqual(
      texts.map((text) => ['other', text]).sort(),
    );
    expect(await conversation(phone)).toMatchObject({
      unread: 3,
      lastMessage: { direction: 'inbound', type: 'other' },
    });
  });
});

describe('photos sent together (an album) and a video note', () => {
  it('each photo is an image with its caption (the album no message of its own), a video note a video', async () => {
    const phone = '+34645000004';
    const photo = (caption?: string) => ({
      message: {
        // WhatsApp wraps each photo of an album in associatedChildMessage.
        associatedChildMessage: {
          message: {
            imageMessage: {
              url: 'https://mmg.whatsapp.net/a',
              mimetype: 'image/jpeg',
              ...(caption ? { caption } : {}),
            },
            messageContextInfo: { messageAssociation: { associationType: 'MEDIA_ALBUM' } },
          },
        },
      },
      messageType: 'associatedChildMessage',
    });
    // The album itself comes first: how many items follow, nothing to show of its own.
    await upsert(phone, {
      message: { albumMessage: { expectedImageCount: 2, expectedVideoCount: 0 }, messageContextInfo: {} },
      messageType: 'albumMessage',
    });
    await upsert(phone, photo('mi desayuno'));
    await upsert(phone, photo());
    // A round video recorded in the chat.
    await upsert(phone, {
      message: { ptvMessage: { url: 'https://mmg.whatsapp.net/v', mimetype: 'video/mp4', seconds: 9 } },
      messageType: 'ptvMessage',
    });
    await allApplied();
    expect(
      (await messagesWith(phone))
        .map((m) => [m.type, m.caption, m.mimetype])
        .sort((a, b) => String(a).localeCompare(String(b))),
    ).toEqual([
      ['image', null, 'image/jpeg'],
      ['image', 'mi desayuno', 'image/jpeg'],
      ['video', null, 'video/mp4'],
    ]);
    expect(await conversation(phone)).toMatchObject({ unread: 3 });
  });
});
