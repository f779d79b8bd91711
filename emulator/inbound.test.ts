// Messages arriving on the phone (control API inbound) as MESSAGES_UPSERT, with the shapes of reference §4.4.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createInstance, startTestEmulator, type Json, type TestEmulator } from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator;
let receiver: WebhookReceiver;
let instanceId: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  receiver = await startReceiver();
  ({ instanceId } = await createInstance(emulator, 'inbox', {
    webhook: { enabled: true, url: receiver.url, events: ['MESSAGES_UPSERT'] },
  }));
});

beforeEach(() => {
  receiver.requests.length = 0;
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

const inbound = (body: Record<string, unknown>) =>
  emulator.call('POST', '/_emulator/instances/inbox/inbound', { body, apikey: null });

async function upsertData(): Promise<Json> {
  const [request] = await receiver.waitFor((r) => r.some((x) => x.body.event === 'messages.upsert'));
  return request!.body.data;
}

describe('inbound messages', () => {
  it('delivers a text with DELIVERY_ACK, a numeric timestamp and the returned key', async () => {
    const reply = await inbound({ from: '5511987654321', pushName: 'Maria', text: 'Oi' });
    expect(reply.status).toBe(201);
    const data = await upsertData();
    expect(data).toEqual(reply.body);
    expect(data).toMatchObject({
      key: {
        remoteJid: '5511987654321@s.whatsapp.net',
        fromMe: false,
        id: expect.stringMatching(/^[0-9A-F]{32}$/),
        remoteJidAlt: expect.stringMatching(/@lid$/),
        addressingMode: 'pn',
      },
      pushName: 'Maria',
      status: 'DELIVERY_ACK',
      message: { conversation: 'Oi', messageContextInfo: expect.any(Object) },
      messageType: 'conversation',
      instanceId,
      source: 'android',
    });
    expect(typeof data.messageTimestamp).toBe('number');
  });

  it('flattens an extended text into conversation', async () => {
    await inbound({ from: '34612345678', text: 'look https://x.example', extendedText: true });
    const data = await upsertData();
    expect(data.messageType).toBe('conversation');
    expect(data.message.conversation).toBe('look https://x.example');
    expect(data.message).not.toHaveProperty('extendedTextMessage');
    expect(data.contextInfo).toBeDefined();
  });

  it('delivers an image with its caption, and its bytes through getBase64FromMediaMessage', async () => {
    const png = Buffer.from('fake-image-bytes').toString('base64');
    const reply = await inbound({
      from: '34612345678',
      media: { type: 'image', caption: 'plan', base64: png },
    });
    const data = await upsertData();
    expect(data.messageType).toBe('imageMessage');
    expect(data.message.imageMessage).toMatchObject({ caption: 'plan', mimetype: 'image/jpeg' });
    expect(data.message).not.toHaveProperty('base64');
    const media = await emulator.call('POST', '/chat/getBase64FromMediaMessage/inbox', {
      body: { message: { key: { id: reply.body.key.id } }, convertToMp4: false },
    });
    expect(media.status).toBe(201);
    expect(media.body).toMatchObject({
      mediaType: 'imageMessage',
      caption: 'plan',
      base64: png,
      buffer: null,
    });
    const missing = await emulator.call('POST', '/chat/getBase64FromMediaMessage/inbox', {
      body: { message: { key: { id: 'NOPE' } } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.response.message).toEqual(['Message not found']);
  });

  it('delivers a voice note as audioMessage (ptt, no caption), its bytes fetchable', async () => {
    const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(20, 1)]).toString('base64');
    const reply = await inbound({
      from: '34612345678',
      text: 'ignored: audio has no caption',
      media: { type: 'audio', base64: ogg },
    });
    expect(reply.status).toBe(201);
    const data = await upsertData();
    expect(data.messageType).toBe('audioMessage');
    expect(data.message.audioMessage).toMatchObject({
      mimetype: 'audio/ogg; codecs=opus',
      ptt: true,
      seconds: expect.any(Number),
      url: expect.stringMatching(/^https:\/\//),
      directPath: expect.any(String),
      mediaKey: expect.any(String),
    });
    expect(data.message.audioMessage).not.toHaveProperty('caption');
    expect(data.message).not.toHaveProperty('conversation');
    const media = await emulator.call('POST', '/chat/getBase64FromMediaMessage/inbox', {
      body: { message: { key: { id: reply.body.key.id } }, convertToMp4: false },
    });
    expect(media.status).toBe(201);
    expect(media.body).toMatchObject({ mediaType: 'audioMessage', base64: ogg, buffer: null });
  });

  it('delivers a document with its file name, mimetype from the extension and caption', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%plan\n').toString('base64');
    const reply = await inbound({
      from: '34612345678',
      media: { type: 'document', fileName: 'analisis.pdf', caption: 'mis análisis', base64: pdf },
    });
    expect(reply.status).toBe(201);
    const data = await upsertData();
    expect(data.messageType).toBe('documentMessage');
    expect(data.message.documentMessage).toMatchObject({
      mimetype: 'application/pdf',
      fileName: 'analisis.pdf',
      title: 'analisis.pdf',
      caption: 'mis análisis',
      directPath: expect.any(String),
    });
    const media = await emulator.call('POST', '/chat/getBase64FromMediaMessage/inbox', {
      body: { message: { key: { id: reply.body.key.id } }, convertToMp4: false },
    });
    expect(media.body).toMatchObject({
      mediaType: 'documentMessage',
      fileName: 'analisis.pdf',
      caption: 'mis análisis',
      mimetype: 'application/pdf',
      base64: pdf,
    });
  });

  it('addresses by @lid with the phone JID in remoteJidAlt', async () => {
    await inbound({ from: '5511987654321', text: 'Oi', asLid: true });
    const data = await upsertData();
    expect(data.key.remoteJid).toMatch(/^\d{15}@lid$/);
    expect(data.key).toMatchObject({ remoteJidAlt: '5511987654321@s.whatsapp.net', addressingMode: 'lid' });
    receiver.requests.length = 0;
    await inbound({ from: '5511987654321', text: 'again', asLid: true });
    expect((await upsertData()).key.remoteJid).toBe(data.key.remoteJid);
  });

  it('marks messages typed on the phone as fromMe with pushName "Você"', async () => {
    await inbound({ from: '34612345678', text: 'sent from my phone', fromMe: true });
    const data = await upsertData();
    expect(data.key.fromMe).toBe(true);
    expect(data.pushName).toBe('Você');
    expect(data.key.remoteJid).toBe('34612345678@s.whatsapp.net');
  });

  it('puts group messages on the group JID with the sender as participant', async () => {
    await inbound({ from: '34612345678', text: 'hola grupo', group: '120363041234567890' });
    const data = await upsertData();
    expect(data.key).toMatchObject({
      remoteJid: '120363041234567890@g.us',
      participant: '34612345678@s.whatsapp.net',
    });
  });

  it('refuses an inbound message without content or for a closed instance', async () => {
    const empty = await inbound({ from: '34612345678' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_body');
    await createInstance(emulator, 'closed-inbox', { open: false });
    const closed = await emulator.call('POST', '/_emulator/instances/closed-inbox/inbound', {
      body: { from: '34612345678', text: 'x' },
      apikey: null,
    });
    expect(closed.status).toBe(409);
  });
});
