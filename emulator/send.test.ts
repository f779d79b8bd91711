// The send routes: response shape, canonical JIDs, number checks, and what an offline instance answers
// (reference §3.10-§3.12, §5, §6.2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createInstance, openInstance, startTestEmulator, type TestEmulator } from './testing/harness.js';

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
  await createInstance(emulator, 'sender');
});

afterAll(async () => {
  await emulator.close();
});

const sendText = (name: string, body: Record<string, unknown>) =>
  emulator.call('POST', `/message/sendText/${name}`, { body });

describe('sendText', () => {
  it('answers 201 with the stored message shape', async () => {
    const before = Math.floor(Date.now() / 1000);
    const reply = await sendText('sender', { number: '5511987654321', text: 'Olá' });
    expect(reply.status).toBe(201);
    const [row] = (await emulator.call('GET', '/instance/fetchInstances?instanceName=sender')).body;
    expect(reply.body).toEqual({
      key: {
        remoteJid: '5511987654321@s.whatsapp.net',
        fromMe: true,
        id: expect.stringMatching(/^3EB0[0-9A-F]{18}$/),
      },
      pushName: 'Você',
      status: 'PENDING',
      message: { conversation: 'Olá' },
      messageType: 'conversation',
      messageTimestamp: expect.any(Number),
      instanceId: row.id,
      source: 'web',
    });
    expect(reply.body.messageTimestamp).toBeGreaterThanOrEqual(before);
    const again = await sendText('sender', { number: '5511987654321', text: 'Olá' });
    expect(again.body.key.id).not.toBe(reply.body.key.id);
  });

  it.each([
    ['BR DDD ≥ 31 drops the 9th digit', '5531987654321', '553187654321@s.whatsapp.net'],
    ['BR DDD 11 keeps it', '+55 (11) 98765-4321', '5511987654321@s.whatsapp.net'],
    ['BR landline-like subscriber keeps it', '5531912345678', '5531912345678@s.whatsapp.net'],
    ['MX 13 digits drops the 1', '5215512345678', '525512345678@s.whatsapp.net'],
    ['AR 13 digits drops the 9', '5491123456789', '541123456789@s.whatsapp.net'],
    ['ES stays as sent', '34612345678', '34612345678@s.whatsapp.net'],
    ['≥ 18 digits is a group', '120363041234567890', '120363041234567890@g.us'],
    ['a JID is kept', '34612345678@s.whatsapp.net', '34612345678@s.whatsapp.net'],
  ])('uses the canonical JID: %s', async (_label, number, jid) => {
    const reply = await sendText('sender', { number, text: 'hi' });
    expect(reply.status).toBe(201);
    expect(reply.body.key.remoteJid).toBe(jid);
  });

  it('rejects blank text with "Text is required"', async () => {
    const reply = await sendText('sender', { number: '34612345678', text: '   ' });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      status: 400,
      error: 'Bad Request',
      response: { message: ['Text is required'] },
    });
  });

  it('answers 400 with the lookup object for a number not on WhatsApp', async () => {
    const reply = await sendText('sender', { number: '123', text: 'hi' });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      status: 400,
      error: 'Bad Request',
      response: { message: [{ jid: '123@s.whatsapp.net', exists: false, number: '123' }] },
    });
  });

  it('records what the phone sent, in order', async () => {
    await createInstance(emulator, 'log');
    const a = await sendText('log', { number: '34600000001', text: 'first' });
    const b = await sendText('log', { number: '34600000002', text: 'second' });
    const sent = (await emulator.call('GET', '/_emulator/instances/log/sent', { apikey: null })).body;
    expect(sent.map((s: { id: string; text: string; type: string }) => [s.id, s.text, s.type])).toEqual([
      [a.body.key.id, 'first', 'text'],
      [b.body.key.id, 'second', 'text'],
    ]);
    expect(sent[0]).toMatchObject({ number: '34600000001', remoteJid: '34600000001@s.whatsapp.net' });
  });
});

describe('sending while not connected', () => {
  it('fails with TypeErrors when no socket was ever started', async () => {
    await createInstance(emulator, 'never', { open: false });
    const reply = await sendText('never', { number: '34611111111', text: 'hi' });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({
      status: 500,
      error: 'Internal Server Error',
      response: { message: "Cannot read properties of undefined (reading 'onWhatsApp')" },
    });
  });

  it('gives a 500 string the first time and a 400 array once the number is cached', async () => {
    await createInstance(emulator, 'dropped');
    const ok = await sendText('dropped', { number: '34622222222', text: 'while open' });
    expect(ok.status).toBe(201);
    await emulator.call('POST', '/_emulator/instances/dropped/disconnect', { body: {}, apikey: null });
    const uncached = await sendText('dropped', { number: '34633333333', text: 'hi' });
    expect(uncached.status).toBe(500);
    expect(uncached.body).toEqual({
      status: 500,
      error: 'Internal Server Error',
      response: { message: 'Connection Closed' },
    });
    const cached = await sendText('dropped', { number: '34622222222', text: 'hi' });
    expect(cached.status).toBe(400);
    expect(cached.body).toEqual({
      status: 400,
      error: 'Bad Request',
      response: { message: ['Error: Connection Closed'] },
    });
    await openInstance(emulator, 'dropped');
    expect((await sendText('dropped', { number: '34633333333', text: 'back' })).status).toBe(201);
  });
});

describe('sendMedia and sendWhatsAppAudio', () => {
  const pdf = Buffer.from('%PDF-1.4 test').toString('base64');

  it('sends a URL image as JPEG with its caption', async () => {
    const reply = await emulator.call('POST', '/message/sendMedia/sender', {
      body: {
        number: '34612345678',
        mediatype: 'image',
        media: 'https://cdn.example/p.png',
        caption: 'plan',
      },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.messageType).toBe('imageMessage');
    expect(reply.body.message.imageMessage).toMatchObject({ mimetype: 'image/jpeg', caption: 'plan' });
  });

  it('needs a file name for base64 documents', async () => {
    const missing = await emulator.call('POST', '/message/sendMedia/sender', {
      body: { number: '34612345678', mediatype: 'document', media: pdf },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.response.message).toEqual(['For base64 the file name must be informed.']);
    const named = await emulator.call('POST', '/message/sendMedia/sender', {
      body: {
        number: '34612345678',
        mediatype: 'document',
        media: pdf,
        fileName: 'plan.pdf',
        mimetype: 'text/plain',
      },
    });
    expect(named.status).toBe(201);
    expect(named.body.message.documentMessage).toMatchObject({
      fileName: 'plan.pdf',
      mimetype: 'application/pdf',
    });
  });

  it("labels an image by a name of the caller's, though it is re-encoded to JPEG", async () => {
    const send = (fileName: string) =>
      emulator.call('POST', '/message/sendMedia/sender', {
        body: { number: '34612345678', mediatype: 'image', media: 'https://cdn.example/p.png', fileName },
      });
    expect((await send('p.png')).body.message.imageMessage).toMatchObject({ mimetype: 'image/png' });
    expect((await send('foto')).body.message.imageMessage).toMatchObject({ mimetype: 'false' });
  });

  it("names an unnamed URL document as the gateway's regex does: without its extension, so typeless", async () => {
    const send = (media: string) =>
      emulator.call('POST', '/message/sendMedia/sender', {
        body: { number: '34612345678', mediatype: 'document', media, mimetype: 'application/pdf' },
      });
    // The text after the last slash up to the next dot: the extension is cut off, and with it the type.
    const plan = await send('https://files.example.com/docs/plan.pdf');
    expect(plan.status).toBe(201);
    expect(plan.body.message.documentMessage).toMatchObject({ fileName: 'plan', mimetype: 'false' });
    // A path with nothing after its last slash: the host's first label.
    const bare = await send('https://files.example.com/download/?id=42');
    expect(bare.body.message.documentMessage).toMatchObject({ fileName: 'files', mimetype: 'false' });
    // No dot after any slash: `[1]` of null inside prepareMediaMessage's try, its 500.
    const dotless = await send('http://localhost:8080/files/plan');
    expect(dotless.status).toBe(500);
    expect(dotless.body).toEqual({
      status: 500,
      error: 'Internal Server Error',
      response: { message: ["TypeError: Cannot read properties of null (reading '1')"] },
    });
  });

  it('reads the type from the file name alone: a name without a known extension loses it', async () => {
    const send = (body: Record<string, unknown>) =>
      emulator.call('POST', '/message/sendMedia/sender', {
        body: { number: '34612345678', mediatype: 'document', ...body },
      });
    const nameless = await send({ media: pdf, fileName: 'document', mimetype: 'application/pdf' });
    expect(nameless.body.message.documentMessage).toMatchObject({
      fileName: 'document',
      mimetype: 'false',
    });
    // By URL the gateway names it with /.*\/(.+?)\./ on the whole URL: …/files/12345 has no dot
    // after its last slashes, so the name is the host's first label.
    const byUrl = await send({ media: 'https://cdn.example/files/12345', mimetype: 'application/pdf' });
    expect(byUrl.body.message.documentMessage).toMatchObject({
      fileName: 'cdn',
      mimetype: 'false',
    });
    // With no name at all, the mimetype given stands (a URL audio file is not named from its path).
    const audio = await emulator.call('POST', '/message/sendMedia/sender', {
      body: {
        number: '34612345678',
        mediatype: 'audio',
        media: 'https://cdn.example/audio?id=3',
        mimetype: 'audio/mpeg',
      },
    });
    expect(audio.body.message.audioMessage).toMatchObject({ mimetype: 'audio/mpeg' });
  });

  it('rejects a data: URI and an unknown mediatype', async () => {
    const dataUri = await emulator.call('POST', '/message/sendMedia/sender', {
      body: { number: '34612345678', mediatype: 'image', media: `data:image/png;base64,${pdf}` },
    });
    expect(dataUri.status).toBe(400);
    expect(dataUri.body.response.message).toEqual(['Owned media must be a url or base64']);
    const ptv = await emulator.call('POST', '/message/sendMedia/sender', {
      body: { number: '34612345678', mediatype: 'ptv', media: pdf },
    });
    expect(ptv.body.response.message).toEqual([
      'mediatype is not one of enum values: image,document,video,audio',
    ]);
  });

  it('sends a voice note as push-to-talk Opus', async () => {
    const reply = await emulator.call('POST', '/message/sendWhatsAppAudio/sender', {
      body: { number: '34612345678', audio: 'https://cdn.example/note.mp3' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.message.audioMessage).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', ptt: true });
  });
});

describe('chat routes', () => {
  it('looks numbers up and answers errors with the raw exception object', async () => {
    const found = await emulator.call('POST', '/chat/whatsappNumbers/sender', {
      body: { numbers: ['5531987654321', '12'] },
    });
    expect(found.status).toBe(200);
    expect(found.body).toEqual([
      { jid: '553187654321@s.whatsapp.net', exists: true, number: '5531987654321' },
      { jid: '12@s.whatsapp.net', exists: false, number: '12' },
    ]);
    const invalid = await emulator.call('POST', '/chat/whatsappNumbers/sender', { body: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({
      status: 400,
      error: 'Bad Request',
      message: ['instance requires property "numbers"'],
    });
  });

  it('marks messages as read', async () => {
    const reply = await emulator.call('POST', '/chat/markMessageAsRead/sender', {
      body: { readMessages: [{ remoteJid: '34612345678@s.whatsapp.net', fromMe: false, id: 'ABC' }] },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ message: 'Read messages', read: 'success' });
  });
});
