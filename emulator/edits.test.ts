// An author editing a message, or deleting it for everyone (control API edit / revoke), as 2.3.6
// reports it: MESSAGES_EDITED with the raw protocolMessage, and for a revoke MESSAGES_DELETE too.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createInstance, startTestEmulator, type TestEmulator } from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator();
  receiver = await startReceiver();
  await createInstance(emulator, 'edits', {
    webhook: {
      enabled: true,
      url: receiver.url,
      events: ['MESSAGES_UPSERT', 'MESSAGES_EDITED', 'MESSAGES_DELETE'],
    },
  });
});

beforeEach(() => {
  receiver.requests.length = 0;
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

const control = (action: string, body: Record<string, unknown>) =>
  emulator.call('POST', `/_emulator/instances/edits/${action}`, { body, apikey: null });

async function delivered(event: string): Promise<any> {
  const requests = await receiver.waitFor((r) => r.some((x) => x.body.event === event));
  return requests.find((x) => x.body.event === event)!.body.data;
}

describe('edits', () => {
  it("sends a client's edit as MESSAGES_EDITED: the key from the author's side, the enum by name", async () => {
    const sent = await control('inbound', { from: '34611222333', text: 'el martes' });
    const id = sent.body.key.id as string;
    const reply = await control('edit', { keyId: id, text: 'el miércoles' });
    expect(reply.status).toBe(200);
    const data = await delivered('messages.edited');
    expect(data).toEqual(reply.body);
    expect(data).toEqual({
      key: { remoteJid: expect.stringMatching(/@s\.whatsapp\.net$/), fromMe: true, id },
      type: 'MESSAGE_EDIT',
      editedMessage: { conversation: 'el miércoles' },
      timestampMs: expect.stringMatching(/^\d{13}$/),
    });
    // Addressed to the advisor's own number, not the client's: the client wrote it.
    expect(data.key.remoteJid).not.toBe('34611222333@s.whatsapp.net');
    // Never an upsert: Evolution does not forward protocol messages as MESSAGES_UPSERT.
    expect(receiver.requests.filter((r) => r.body.event === 'messages.upsert')).toHaveLength(1);
  });

  it("edits a media message's caption", async () => {
    const sent = await control('inbound', { from: '34611222334', media: { type: 'image', caption: 'a' } });
    await control('edit', { keyId: sent.body.key.id, text: 'b' });
    expect((await delivered('messages.edited')).editedMessage).toEqual({ imageMessage: { caption: 'b' } });
  });

  it('answers 404 for an unknown message and 400 for an empty text', async () => {
    expect((await control('edit', { keyId: 'NOPE', text: 'x' })).status).toBe(404);
    const sent = await control('inbound', { from: '34611222335', text: 'x' });
    expect((await control('edit', { keyId: sent.body.key.id, text: '' })).status).toBe(400);
  });
});

describe('deletions for everyone', () => {
  it('sends a REVOKE notice and MESSAGES_DELETE with our side of the key, once', async () => {
    const sent = await control('inbound', { from: '34611222336', text: 'borrar' });
    const key = sent.body.key;
    const reply = await control('revoke', { keyId: key.id });
    expect(reply.status).toBe(200);
    expect(await delivered('messages.edited')).toEqual({
      key: { remoteJid: expect.any(String), fromMe: true, id: key.id },
      type: 'REVOKE',
    });
    expect(await delivered('messages.delete')).toEqual({
      remoteJid: key.remoteJid,
      fromMe: false,
      id: key.id,
    });
    expect((await control('revoke', { keyId: key.id })).status).toBe(409);
    expect((await control('edit', { keyId: key.id, text: 'y' })).status).toBe(409);
  });
});
