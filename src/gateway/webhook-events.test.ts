import { describe, expect, it } from 'vitest';
import { WebhookParseError } from './errors.js';
import type { MessageEvent, WebhookEvent } from './webhook-event-types.js';
import { canonicalEventName, parseWebhook } from './webhook-events.js';

// Envelopes and data as evolution-api.md §4.3/§4.4 quotes them.
const envelope = (event: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  event,
  instance: 'advisor-42',
  data,
  destination: 'https://svc.example/hooks/evolution',
  date_time: '2025-07-23T08:22:20.492Z',
  sender: '5511987654321@s.whatsapp.net',
  server_url: 'https://evo.example',
  apikey: '5A793D2C-EF7A-4AC5-86AE-5DE05F1CCC22',
  ...extra,
});

const upsertData = (overrides: Record<string, unknown> = {}) => ({
  key: { remoteJid: '5511987654321@s.whatsapp.net', fromMe: false, id: '3A5F9C01' },
  pushName: 'Maria',
  status: 'DELIVERY_ACK',
  message: { conversation: 'Oi', messageContextInfo: {} },
  contextInfo: {},
  messageType: 'conversation',
  messageTimestamp: 1773027345,
  instanceId: '8c0c',
  source: 'android',
  ...overrides,
});

function only(events: WebhookEvent[]): WebhookEvent {
  expect(events).toHaveLength(1);
  return events[0] as WebhookEvent;
}

function onlyMessage(body: unknown, options: { receivedAt?: Date } = {}): MessageEvent {
  const event = only(parseWebhook(body, options).events);
  expect(event.type).toBe('message');
  return event as MessageEvent;
}

describe('event names', () => {
  it.each([
    ['messages.upsert', 'MESSAGES_UPSERT'],
    ['MESSAGES_UPSERT', 'MESSAGES_UPSERT'],
    ['messages-upsert', 'MESSAGES_UPSERT'],
    ['group-participants.update', 'GROUP_PARTICIPANTS_UPDATE'],
    ['send.message', 'SEND_MESSAGE'],
  ])('%s → %s', (raw, canonical) => {
    expect(canonicalEventName(raw)).toBe(canonical);
  });

  it('parses the same body under all three spellings', () => {
    const spellings = ['messages.upsert', 'MESSAGES_UPSERT', 'messages-upsert'];
    const results = spellings.map((event) => parseWebhook(envelope(event, upsertData())));
    for (const result of results) expect(result.events[0]?.type).toBe('message');
  });

  it('falls back to the byEvents path suffix when the body names no event', () => {
    const { event: _event, ...body } = envelope('x', upsertData());
    expect(parseWebhook(body, { pathEvent: 'messages-upsert' }).event).toBe('MESSAGES_UPSERT');
  });

  it("prefers the body's event over the path", () => {
    const body = envelope('connection.update', {
      instance: 'advisor-42',
      state: 'connecting',
      statusReason: 200,
    });
    expect(parseWebhook(body, { pathEvent: 'messages-upsert' }).event).toBe('CONNECTION_UPDATE');
  });
});

describe('QRCODE_UPDATED', () => {
  it('reads a QR', () => {
    const body = envelope('qrcode.updated', {
      qrcode: {
        instance: 'advisor-42',
        pairingCode: null,
        code: '2@abc',
        base64: 'data:image/png;base64,iVBO',
      },
    });
    expect(parseWebhook(body).events).toEqual([
      {
        type: 'qr',
        instance: 'advisor-42',
        qr: { code: '2@abc', base64: 'data:image/png;base64,iVBO', pairingCode: null },
        dateTime: new Date('2025-07-23T08:22:20.492Z'),
      },
    ]);
  });

  it('reads the QR limit notice', () => {
    const body = envelope('qrcode.updated', {
      message: 'QR code limit reached, please login again',
      statusCode: 500,
    });
    expect(parseWebhook(body).events).toEqual([
      { type: 'qr_limit', instance: 'advisor-42', dateTime: new Date('2025-07-23T08:22:20.492Z') },
    ]);
  });
});

describe('CONNECTION_UPDATE', () => {
  it('reads open with the linked number and profile name', () => {
    const body = envelope('connection.update', {
      instance: 'advisor-42',
      wuid: '5511987654321@s.whatsapp.net',
      profileName: 'Ana',
      profilePictureUrl: null,
      state: 'open',
      statusReason: 200,
    });
    expect(only(parseWebhook(body).events)).toEqual({
      type: 'connection',
      instance: 'advisor-42',
      state: 'open',
      statusReason: 200,
      phone: '+5511987654321',
      profileName: 'Ana',
      dateTime: new Date('2025-07-23T08:22:20.492Z'),
    });
  });

  it("carries the envelope's date_time as the gateway wrote it, or null when it has none it can read", () => {
    const close = { instance: 'advisor-42', state: 'close', statusReason: 401 };
    const read = (extra: Record<string, unknown>) =>
      only(parseWebhook(envelope('connection.update', close, extra)).events) as { dateTime: Date | null };
    // Local wall time printed with a Z (§4.3): taken as written, never shifted to our clock.
    expect(read({ date_time: '2025-07-23T08:22:20.492Z' }).dateTime).toEqual(
      new Date('2025-07-23T08:22:20.492Z'),
    );
    for (const odd of [
      { date_time: undefined },
      { date_time: null },
      { date_time: 'yesterday' },
      { date_time: 7 },
    ]) {
      expect(read(odd).dateTime).toBeNull();
    }
    expect(parseWebhook(envelope('logout.instance', null, { date_time: 'x' })).events).toEqual([
      { type: 'logout', instance: 'advisor-42', dateTime: null },
    ]);
  });

  it.each([
    ['connecting', 200],
    ['close', 401],
    ['refused', 428],
  ] as const)('reads %s (%i)', (state, statusReason) => {
    const event = only(
      parseWebhook(envelope('CONNECTION_UPDATE', { instance: 'advisor-42', state, statusReason })).events,
    );
    expect(event).toMatchObject({ type: 'connection', state, statusReason, phone: null, profileName: null });
  });

  it('refuses a state it does not know', () => {
    expect(() => parseWebhook(envelope('connection.update', { state: 'sleeping' }))).toThrow(
      WebhookParseError,
    );
  });
});

describe('MESSAGES_UPSERT', () => {
  it('reads a plain conversation', () => {
    expect(onlyMessage(envelope('messages.upsert', upsertData()))).toEqual({
      type: 'message',
      instance: 'advisor-42',
      source: 'upsert',
      evolutionMessageId: '3A5F9C01',
      fromMe: false,
      phone: '+5511987654321',
      chatJid: '5511987654321@s.whatsapp.net',
      groupJid: null,
      pushName: 'Maria',
      kind: 'text',
      text: 'Oi',
      caption: null,
      mimetype: null,
      fileName: null,
      quotedMessageId: null,
      timestamp: new Date(1773027345 * 1000),
    });
  });

  describe('the quoted message of a reply (contextInfo.stanzaId)', () => {
    const contextInfo = {
      stanzaId: '3EB0QUOTED01',
      participant: '34622222222@s.whatsapp.net',
      quotedMessage: { conversation: 'Te recuerdo…' },
    };

    it('reads it where Evolution lifts it, at the top of the data', () => {
      expect(onlyMessage(envelope('messages.upsert', upsertData({ contextInfo }))).quotedMessageId).toBe(
        '3EB0QUOTED01',
      );
    });

    it('reads it inside the content, in an unflattened or wrapped message', () => {
      const extended = { extendedTextMessage: { text: '2', contextInfo } };
      const image = { imageMessage: { mimetype: 'image/jpeg', caption: 'esta', contextInfo } };
      const ephemeral = { ephemeralMessage: { message: extended } };
      for (const message of [extended, image, ephemeral]) {
        const data = upsertData({ message, contextInfo: undefined });
        expect(onlyMessage(envelope('messages.upsert', data)).quotedMessageId).toBe('3EB0QUOTED01');
      }
    });

    it('is null when the message quotes nothing', () => {
      const noStanza = { expiration: 0, ephemeralSettingTimestamp: '0', disappearingMode: {} };
      for (const data of [
        upsertData(),
        upsertData({ contextInfo: noStanza }),
        upsertData({ contextInfo: null }),
      ]) {
        expect(onlyMessage(envelope('messages.upsert', data)).quotedMessageId).toBeNull();
      }
    });
  });

  it('reads extendedTextMessage, flattened or not', () => {
    const flattened = upsertData({
      message: { conversation: 'https://x.example hi' },
      messageType: 'conversation',
    });
    const raw = upsertData({ message: { extendedTextMessage: { text: 'https://x.example hi' } } });
    expect(onlyMessage(envelope('messages.upsert', flattened)).text).toBe('https://x.example hi');
    expect(onlyMessage(envelope('messages.upsert', raw)).text).toBe('https://x.example hi');
  });

  it.each([
    [
      'imageMessage',
      'image',
      { url: 'https://mmg', mimetype: 'image/jpeg', caption: 'my plan', fileLength: { low: 1, high: 0 } },
    ],
    ['videoMessage', 'video', { url: 'https://mmg', mimetype: 'video/mp4', caption: 'watch' }],
    ['audioMessage', 'audio', { url: 'https://mmg', mimetype: 'audio/ogg; codecs=opus', ptt: true }],
    ['documentMessage', 'document', { mimetype: 'application/pdf', caption: 'menu', fileName: 'menu.pdf' }],
    ['stickerMessage', 'sticker', { mimetype: 'image/webp' }],
  ] as const)('reads %s', (messageType, kind, content) => {
    const data = upsertData({ messageType, message: { [messageType]: content } });
    const event = onlyMessage(envelope('messages.upsert', data));
    expect(event).toMatchObject({
      kind,
      text: null,
      caption: 'caption' in content ? content.caption : null,
      mimetype: content.mimetype,
      fileName: 'fileName' in content ? content.fileName : null,
    });
  });

  it('reads a document with caption left in its wrapper', () => {
    const message = {
      documentWithCaptionMessage: {
        message: { documentMessage: { mimetype: 'application/pdf', caption: 'plan', fileName: 'plan.pdf' } },
      },
    };
    const event = onlyMessage(
      envelope('messages.upsert', upsertData({ message, messageType: 'documentMessage' })),
    );
    expect(event).toMatchObject({ kind: 'document', caption: 'plan', fileName: 'plan.pdf' });
  });

  it('calls a location, a contact or a poll "other": a message, with a text that says what was shared', () => {
    const cases: [Record<string, unknown>, string | null][] = [
      [
        { locationMessage: { degreesLatitude: 40.4, degreesLongitude: -3.7 } },
        '📍 https://maps.google.com/?q=40.4,-3.7',
      ],
      [{ contactMessage: { displayName: 'Luis', vcard: 'BEGIN:VCARD' } }, '👤 Luis'],
      [{ pollCreationMessageV3: { name: '¿Martes?', options: [] } }, '📊 ¿Martes?'],
      // Shared content with nothing in it to show.
      [{ locationMessage: {} }, null],
    ];
    for (const [message, text] of cases) {
      const data = upsertData({ message, messageType: Object.keys(message)[0] });
      expect(onlyMessage(envelope('messages.upsert', data))).toMatchObject({
        kind: 'other',
        text,
        caption: null,
      });
    }
  });

  it.each([
    ['a reaction', { reactionMessage: { key: { id: '3EB0X' }, text: '👍' } }, 'reaction'],
    ['a reaction removed', { reactionMessage: { key: { id: '3EB0X' }, text: '' } }, 'reaction'],
    ['an encrypted reaction', { encReactionMessage: { targetMessageKey: { id: '3EB0X' } } }, 'reaction'],
    ['a revoke', { protocolMessage: { key: { id: '3EB0X' }, type: 'REVOKE' } }, 'protocol'],
    ['an edit', { editedMessage: { message: { protocolMessage: { type: 'MESSAGE_EDIT' } } } }, 'protocol'],
    [
      'a wrapped reaction',
      { ephemeralMessage: { message: { reactionMessage: { text: '❤️' } } } },
      'reaction',
    ],
    ['no message', undefined, 'empty'],
    ['only metadata', { messageContextInfo: { deviceListMetadataVersion: 2 } }, 'empty'],
    ['an empty text', { conversation: '', messageContextInfo: {} }, 'empty'],
  ] as const)('ignores %s: no message of anyone', (_, message, notAMessage) => {
    const data = upsertData({ message, messageType: 'unknown' });
    expect(only(parseWebhook(envelope('messages.upsert', data)).events)).toEqual({
      type: 'ignored',
      instance: 'advisor-42',
      event: 'MESSAGES_UPSERT',
      notAMessage,
    });
  });

  it('still reads a SEND_MESSAGE echo, whatever it holds: it confirms a send of ours', () => {
    const key = { remoteJid: '5511987654321@s.whatsapp.net', fromMe: true, id: '3EB0ECHO' };
    const data = upsertData({ key, message: undefined, messageType: 'unknown' });
    expect(onlyMessage(envelope('send.message', data))).toMatchObject({
      source: 'send',
      evolutionMessageId: '3EB0ECHO',
      kind: 'other',
    });
  });

  it('keeps a message it can read even when a protocol key rides along', () => {
    const message = { conversation: 'hola', protocolMessage: { type: 'EPHEMERAL_SETTING' } };
    expect(onlyMessage(envelope('messages.upsert', upsertData({ message })))).toMatchObject({
      kind: 'text',
      text: 'hola',
    });
  });

  it('finds the phone of an @lid chat in remoteJidAlt (2.3.6)', () => {
    const key = {
      remoteJid: '123456789012345@lid',
      remoteJidAlt: '5511987654321@s.whatsapp.net',
      fromMe: false,
      id: 'L1',
      addressingMode: 'lid',
    };
    expect(onlyMessage(envelope('messages.upsert', upsertData({ key })))).toMatchObject({
      phone: '+5511987654321',
      chatJid: '5511987654321@s.whatsapp.net',
    });
  });

  it("reads 2.3.7's swapped form", () => {
    const key = {
      remoteJid: '5511987654321@s.whatsapp.net',
      remoteJidAlt: '123456789012345@lid',
      fromMe: false,
      id: 'L2',
    };
    expect(onlyMessage(envelope('messages.upsert', upsertData({ key })))).toMatchObject({
      phone: '+5511987654321',
      chatJid: '5511987654321@s.whatsapp.net',
    });
  });

  it('keeps an @lid chat without a phone as a null phone', () => {
    const key = { remoteJid: '123456789012345@lid', fromMe: false, id: 'L3' };
    expect(onlyMessage(envelope('messages.upsert', upsertData({ key })))).toMatchObject({
      phone: null,
      chatJid: '123456789012345@lid',
    });
  });

  it('reads a group message: the author is the phone, the group the chat', () => {
    const key = {
      remoteJid: '120363025246125888@g.us',
      participant: '123456789012345@lid',
      participantAlt: '34612345678@s.whatsapp.net',
      fromMe: false,
      id: 'G1',
    };
    expect(onlyMessage(envelope('messages.upsert', upsertData({ key })))).toMatchObject({
      phone: '+34612345678',
      chatJid: '120363025246125888@g.us',
      groupJid: '120363025246125888@g.us',
    });
  });

  it('reads a message sent from the phone itself (fromMe), without the "Você" push name', () => {
    const key = { remoteJid: '5511987654321@s.whatsapp.net', fromMe: true, id: 'M1' };
    expect(onlyMessage(envelope('messages.upsert', upsertData({ key, pushName: 'Você' })))).toMatchObject({
      source: 'upsert',
      fromMe: true,
      phone: '+5511987654321',
      pushName: null,
    });
  });

  it.each([
    ['a number', 1773027345],
    ['a numeric string', '1773027345'],
    ['a Long', { low: 1773027345, high: 0, unsigned: true }],
  ])('reads messageTimestamp as %s', (_form, messageTimestamp) => {
    const event = onlyMessage(envelope('messages.upsert', upsertData({ messageTimestamp })));
    expect(event.timestamp.toISOString()).toBe(new Date(1773027345 * 1000).toISOString());
  });

  it('reads a Long whose low half has the sign bit set', () => {
    // 2^31 + 5 seconds: low is negative when read as signed 32-bit.
    // 2038: received later than that, or it would be read as its receipt.
    const event = onlyMessage(
      envelope('messages.upsert', upsertData({ messageTimestamp: { low: -2147483643, high: 0 } })),
      { receivedAt: new Date('2040-01-01T00:00:00Z') },
    );
    expect(event.timestamp.getTime()).toBe((2 ** 31 + 5) * 1000);
  });

  it('never reads date_time: without messageTimestamp it uses the receipt time', () => {
    const receivedAt = new Date('2026-01-01T10:00:00Z');
    const body = envelope('messages.upsert', upsertData({ messageTimestamp: undefined }));
    const event = only(parseWebhook(body, { receivedAt }).events);
    expect(event).toMatchObject({ timestamp: receivedAt });
  });

  it('reads a date after the receipt as the receipt, to the second', () => {
    // Nothing is sent after it reached us: a clock ahead must not date a STOP next year.
    const receivedAt = new Date('2026-01-01T10:00:00.750Z');
    const ahead = envelope('messages.upsert', upsertData({ messageTimestamp: 1798761600 + 365 * 86400 }));
    expect(only(parseWebhook(ahead, { receivedAt }).events)).toMatchObject({
      timestamp: new Date('2026-01-01T10:00:00Z'),
    });
    // A date up to the receipt's own second is WhatsApp's, kept as it is.
    const sameSecond = envelope('messages.upsert', upsertData({ messageTimestamp: 1767261600 }));
    expect(only(parseWebhook(sameSecond, { receivedAt }).events)).toMatchObject({
      timestamp: new Date('2026-01-01T10:00:00Z'),
    });
    const earlier = envelope('messages.upsert', upsertData({ messageTimestamp: 1767261000 }));
    expect(only(parseWebhook(earlier, { receivedAt }).events)).toMatchObject({
      timestamp: new Date(1767261000 * 1000),
    });
  });

  it('reads array data as several messages', () => {
    const second = upsertData({ key: { remoteJid: '34612345678@s.whatsapp.net', fromMe: false, id: 'B2' } });
    const result = parseWebhook(envelope('messages.upsert', [upsertData(), second]));
    expect(result.events.map((event) => event.type === 'message' && event.evolutionMessageId)).toEqual([
      '3A5F9C01',
      'B2',
    ]);
  });
});

describe('SEND_MESSAGE', () => {
  it('reads the send response object as an outbound message', () => {
    const data = {
      key: { remoteJid: '5511987654321@s.whatsapp.net', fromMe: true, id: '3EB0A1B2C3D4' },
      pushName: 'Você',
      status: 'PENDING',
      message: { conversation: 'hello' },
      messageType: 'conversation',
      messageTimestamp: 1717689097,
      instanceId: '8c0c',
      source: 'web',
    };
    expect(onlyMessage(envelope('send.message', data))).toMatchObject({
      source: 'send',
      fromMe: true,
      evolutionMessageId: '3EB0A1B2C3D4',
      phone: '+5511987654321',
      pushName: null,
      text: 'hello',
    });
  });
});

describe('MESSAGES_UPDATE', () => {
  const update = (status: string, extra: Record<string, unknown> = {}) => ({
    keyId: '3EB0A1B2C3D4',
    remoteJid: '5511987654321@s.whatsapp.net',
    fromMe: true,
    status,
    instanceId: '8c0c',
    messageId: 'cuid1',
    ...extra,
  });

  it.each([
    ['ERROR', 'failed'],
    ['PENDING', 'sending'],
    ['SERVER_ACK', 'sent'],
    ['DELIVERY_ACK', 'delivered'],
    ['READ', 'read'],
    ['PLAYED', 'read'],
    ['DELETED', null],
    ['SOMETHING_NEW', null],
  ])('maps %s to %s', (raw, status) => {
    expect(only(parseWebhook(envelope('messages.update', update(raw))).events)).toEqual({
      type: 'message_status',
      instance: 'advisor-42',
      evolutionMessageId: '3EB0A1B2C3D4',
      remoteJid: '5511987654321@s.whatsapp.net',
      fromMe: true,
      status,
      rawStatus: raw,
    });
  });

  it.each([
    [0, 'ERROR', 'failed'],
    [2, 'SERVER_ACK', 'sent'],
    [3, 'DELIVERY_ACK', 'delivered'],
    [4, 'READ', 'read'],
    [5, 'PLAYED', 'read'],
    [9, '9', null],
  ])("reads Baileys' number %s as %s (%s) instead of refusing the delivery", (raw, word, status) => {
    const body = envelope('messages.update', { ...update('x'), status: raw });
    expect(only(parseWebhook(body).events)).toMatchObject({ status, rawStatus: word });
  });

  it("reads 2.3.7's edit notice (SERVER_ACK with content) as an edit, not a status", () => {
    const receivedAt = new Date('2026-12-03T10:00:00Z');
    const edit = update('SERVER_ACK', {
      fromMe: false,
      message: { editedMessage: { message: { conversation: 'edited' } } },
    });
    expect(only(parseWebhook(envelope('messages.update', edit), { receivedAt }).events)).toEqual({
      type: 'message_edit',
      instance: 'advisor-42',
      evolutionMessageId: '3EB0A1B2C3D4',
      text: 'edited',
      caption: null,
      editedAt: receivedAt,
    });
    // Plain content (no editedMessage wrapper) reads the same.
    const plain = update('SERVER_ACK', { message: { conversation: 'edited' } });
    expect(only(parseWebhook(envelope('messages.update', plain)).events)).toMatchObject({
      type: 'message_edit',
      text: 'edited',
    });
  });

  it('keeps an update whose message holds no words a status-less update', () => {
    const odd = update('SERVER_ACK', { message: { protocolMessage: { type: 'EPHEMERAL_SETTING' } } });
    expect(only(parseWebhook(envelope('messages.update', odd)).events)).toMatchObject({
      type: 'message_status',
      status: null,
      rawStatus: 'SERVER_ACK',
    });
  });

  it('reads a group receipt with a participant and an @lid chat', () => {
    const receipt = update('READ', {
      remoteJid: '123456789012345@lid',
      participant: '5511987654321@s.whatsapp.net',
    });
    expect(only(parseWebhook(envelope('MESSAGES_UPDATE', receipt)).events)).toMatchObject({
      status: 'read',
      remoteJid: '123456789012345@lid',
    });
  });

  it("reads MESSAGES_DELETE as a deletion for everyone, with or without 2.3.7's status", () => {
    const receivedAt = new Date('2026-12-03T10:00:00Z');
    const key = { remoteJid: '5511987654321@s.whatsapp.net', fromMe: false, id: '3EB0' };
    for (const data of [key, { ...key, status: 'DELETED' }]) {
      expect(only(parseWebhook(envelope('messages.delete', data), { receivedAt }).events)).toEqual({
        type: 'message_delete',
        instance: 'advisor-42',
        evolutionMessageId: '3EB0',
        deletedAt: receivedAt,
      });
    }
  });
});

describe('MESSAGES_EDITED (the raw protocolMessage)', () => {
  // A client's edit: the key is written from the author's side (fromMe, the advisor's chat).
  const key = { remoteJid: '34611000000@s.whatsapp.net', fromMe: true, id: '3A5F9C' };

  it.each([
    ['enum by name, timestamp as a string', 'MESSAGE_EDIT', '1764756000123'],
    ['enum by value, timestamp as a number', 14, 1764756000123],
  ])('reads an edit: %s', (_, type, timestampMs) => {
    const notice = { key, type, editedMessage: { conversation: 'nuevo' }, timestampMs };
    expect(only(parseWebhook(envelope('messages.edited', notice)).events)).toEqual({
      type: 'message_edit',
      instance: 'advisor-42',
      evolutionMessageId: '3A5F9C',
      text: 'nuevo',
      caption: null,
      editedAt: new Date(1764756000123),
    });
  });

  it("reads a caption's edit, an extended text, and falls back to the arrival time", () => {
    const receivedAt = new Date('2026-12-03T10:00:00Z');
    const caption = { key, type: 'MESSAGE_EDIT', editedMessage: { imageMessage: { caption: 'otra' } } };
    expect(only(parseWebhook(envelope('messages.edited', caption), { receivedAt }).events)).toMatchObject({
      type: 'message_edit',
      text: null,
      caption: 'otra',
      editedAt: receivedAt,
    });
    const extended = {
      key,
      type: 'MESSAGE_EDIT',
      editedMessage: { extendedTextMessage: { text: 'ver https://x.y' } },
    };
    expect(only(parseWebhook(envelope('messages.edited', extended)).events)).toMatchObject({
      type: 'message_edit',
      text: 'ver https://x.y',
    });
  });

  it('reads an edit or a revoke dated after the receipt as made at the receipt', () => {
    const receivedAt = new Date('2025-12-03T10:00:00.123Z');
    const future = String(receivedAt.getTime() + 365 * 86_400_000);
    const edit = { key, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'STOP' }, timestampMs: future };
    expect(only(parseWebhook(envelope('messages.edited', edit), { receivedAt }).events)).toMatchObject({
      type: 'message_edit',
      editedAt: receivedAt,
    });
    const revoke = { key, type: 'REVOKE', timestampMs: future };
    expect(only(parseWebhook(envelope('messages.edited', revoke), { receivedAt }).events)).toMatchObject({
      type: 'message_delete',
      deletedAt: receivedAt,
    });
  });

  it('reads a revoke as a deletion', () => {
    const notice = { key, type: 'REVOKE', timestampMs: '1764756000123' };
    expect(only(parseWebhook(envelope('messages.edited', notice)).events)).toEqual({
      type: 'message_delete',
      instance: 'advisor-42',
      evolutionMessageId: '3A5F9C',
      deletedAt: new Date(1764756000123),
    });
    expect(only(parseWebhook(envelope('messages.edited', { key, type: 0 })).events).type).toBe(
      'message_delete',
    );
  });

  it.each([
    [
      'a notice without a key (history sync)',
      { type: 'HISTORY_SYNC_NOTIFICATION', historySyncNotification: {} },
    ],
    ['an edit with no words', { key, type: 'MESSAGE_EDIT', editedMessage: {} }],
    ['another kind of notice', { key, type: 'EPHEMERAL_SETTING', ephemeralExpiration: 86400 }],
    [
      'a key of the wrong shape',
      { key: { id: 42 }, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'x' } },
    ],
    ['anything', { anything: true }],
  ])('ignores %s, never refuses it', (_, data) => {
    expect(parseWebhook(envelope('messages.edited', data)).events).toEqual([
      { type: 'ignored', instance: 'advisor-42', event: 'MESSAGES_EDITED', notAMessage: 'protocol' },
    ]);
  });
});

describe('other events', () => {
  it('reads LOGOUT_INSTANCE, whose data is null', () => {
    expect(parseWebhook(envelope('logout.instance', null)).events).toEqual([
      { type: 'logout', instance: 'advisor-42', dateTime: new Date('2025-07-23T08:22:20.492Z') },
    ]);
  });

  it.each(['contacts.upsert', 'chats.upsert', 'status.instance', 'presence.update', 'call'])(
    'ignores %s',
    (event) => {
      const result = parseWebhook(envelope(event, { anything: true }));
      expect(result.events).toEqual([
        { type: 'ignored', instance: 'advisor-42', event: canonicalEventName(event) },
      ]);
    },
  );

  it('ignores a global event with no instance', () => {
    const body = { event: 'application.startup', instance: null, data: {}, apikey: null };
    expect(parseWebhook(body).events).toEqual([
      { type: 'ignored', instance: null, event: 'APPLICATION_STARTUP' },
    ]);
  });

  it('accepts a null apikey and an absent sender', () => {
    const body = envelope(
      'qrcode.updated',
      { qrcode: { code: '2@x', base64: 'data:,' } },
      { apikey: null, sender: undefined },
    );
    expect(parseWebhook(body).events[0]?.type).toBe('qr');
  });
});

describe('malformed bodies', () => {
  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['an array', [envelope('messages.upsert', upsertData())]],
    ['no event anywhere', { instance: 'advisor-42', data: {} }],
    ['an event that is no name', { event: 'messages upsert!', instance: 'advisor-42', data: {} }],
    ['a known event with no instance', { event: 'messages.upsert', data: upsertData() }],
    [
      'an upsert with no key id',
      envelope('messages.upsert', upsertData({ key: { remoteJid: 'x@s.whatsapp.net' } })),
    ],
    ['an update with no keyId', envelope('messages.update', { status: 'READ' })],
    ['a QR event with neither QR nor notice', envelope('qrcode.updated', { qrcode: {} })],
    ['an instance that is not a string', { event: 'messages.upsert', instance: 42, data: upsertData() }],
  ])('throws WebhookParseError for %s', (_name, body) => {
    expect(() => parseWebhook(body)).toThrow(WebhookParseError);
  });

  it('says which fields were wrong', () => {
    let caught: unknown;
    try {
      parseWebhook(envelope('messages.update', { status: 'READ' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WebhookParseError);
    expect((caught as WebhookParseError).details).toMatchObject({
      event: 'MESSAGES_UPDATE',
      issues: [expect.objectContaining({ path: 'keyId' })],
    });
  });
});
