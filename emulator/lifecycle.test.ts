// Instance lifecycle over real HTTP: create → connect → scan → open → logout → connect again → delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createInstance, poll, startTestEmulator, type TestEmulator } from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator();
  receiver = await startReceiver();
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

const state = async (name: string): Promise<string> =>
  (await emulator.call('GET', `/instance/connectionState/${name}`)).body.instance.state;

describe('lifecycle', () => {
  it('goes close → connecting → open → close and can connect again', async () => {
    const created = await emulator.call('POST', '/instance/create', {
      body: { instanceName: 'life', integration: 'WHATSAPP-BAILEYS' },
    });
    expect(created.status).toBe(201);
    expect(created.body.instance).toMatchObject({
      instanceName: 'life',
      status: 'close',
      accessTokenWaBusiness: '',
    });
    expect(created.body.webhook).toEqual({});
    expect(created.body).not.toHaveProperty('qrcode');
    expect(await state('life')).toBe('close');

    const connect = await emulator.call('GET', '/instance/connect/life');
    expect(connect.status).toBe(200);
    expect(connect.body).toHaveProperty('count');
    expect(await state('life')).toBe('connecting');
    const qr = await poll(
      async () => (await emulator.call('GET', '/instance/connect/life')).body,
      (body) => typeof body.base64 === 'string',
      { what: 'first QR' },
    );
    expect(qr).toMatchObject({ pairingCode: null, count: 1 });
    expect(qr.code).toMatch(/^2@/);
    expect(qr.base64).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);

    const scan = await emulator.call('POST', '/_emulator/instances/life/scan', {
      body: { phone: '5511912345678', profileName: 'Ana' },
      apikey: null,
    });
    expect(scan.status).toBe(200);
    expect(await state('life')).toBe('open');
    const again = await emulator.call('GET', '/instance/connect/life');
    expect(again.body).toEqual({ instance: { instanceName: 'life', state: 'open' } });

    const [row] = (await emulator.call('GET', '/instance/fetchInstances?instanceName=life')).body;
    expect(row).toMatchObject({
      name: 'life',
      connectionStatus: 'open',
      ownerJid: '5511912345678@s.whatsapp.net',
      profileName: 'Ana',
      integration: 'WHATSAPP-BAILEYS',
      token: created.body.hash,
      _count: { Message: 0 },
    });
    expect(row.id).toBe(created.body.instance.instanceId);

    const logout = await emulator.call('DELETE', '/instance/logout/life');
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({
      status: 'SUCCESS',
      error: false,
      response: { message: 'Instance logged out' },
    });
    expect(await state('life')).toBe('close');

    const second = await emulator.call('DELETE', '/instance/logout/life');
    expect(second.status).toBe(400);
    expect(second.body.response.message).toEqual(['The "life" instance is not connected']);

    await emulator.call('GET', '/instance/connect/life');
    expect(await state('life')).toBe('connecting');

    const deleted = await emulator.call('DELETE', '/instance/delete/life');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      status: 'SUCCESS',
      error: false,
      response: { message: 'Instance deleted' },
    });
    expect((await emulator.call('GET', '/instance/connectionState/life')).status).toBe(404);
    expect((await emulator.call('GET', '/instance/fetchInstances?instanceName=life')).body).toEqual({
      status: 404,
      error: 'Not Found',
      response: { message: ['Instance "life" not found'] },
    });
  });

  it('create with qrcode:true waits and returns the QR', async () => {
    const slow = await startTestEmulator({ createQrWaitMs: 500 });
    try {
      const started = Date.now();
      const created = await slow.call('POST', '/instance/create', {
        body: { instanceName: 'qr-now', integration: 'WHATSAPP-BAILEYS', qrcode: true },
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(490);
      expect(created.body.instance.status).toBe('connecting');
      expect(created.body.qrcode).toMatchObject({ pairingCode: null, count: 1 });
      expect(created.body.qrcode.base64).toMatch(/^data:image\/png;base64,/);
    } finally {
      await slow.close();
    }
  });

  it('restart answers 200 {error:true} when closed and keeps the open state in its answer', async () => {
    await createInstance(emulator, 'restarting', {
      open: false,
      webhook: { enabled: true, url: receiver.url, events: ['CONNECTION_UPDATE'] },
    });
    const closed = await emulator.call('POST', '/instance/restart/restarting');
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ error: true, message: '[object Object]' });

    await emulator.call('GET', '/instance/connect/restarting');
    await emulator.call('POST', '/_emulator/instances/restarting/scan', { body: {}, apikey: null });
    const states = (): string[] => receiver.requests.map((r) => (r.body.data as { state: string }).state);
    await receiver.waitFor(() => states().includes('open'));
    receiver.requests.length = 0;
    const open = await emulator.call('POST', '/instance/restart/restarting');
    expect(open.body).toEqual({ instance: { instanceName: 'restarting', state: 'open' } });
    // A restart is a silent reconnect: connecting then open again, never close.
    await receiver.waitFor(() => states().includes('open') && states().includes('connecting'));
    expect(states().sort()).toEqual(['connecting', 'open']);
  });

  it('keeps a deleted instance and its name until its rows are gone, like the real gateway', async () => {
    const slow = await startTestEmulator({ removeDelayMs: 400 });
    try {
      await createInstance(slow, 'going');
      expect((await slow.call('DELETE', '/instance/delete/going')).status).toBe(200);
      const again = await slow.call('POST', '/instance/create', {
        body: { instanceName: 'going', integration: 'WHATSAPP-BAILEYS' },
      });
      expect(again.status).toBe(403);
      expect(again.body.response.message).toEqual(['This name "going" is already in use.']);
      const [listed] = (await slow.call('GET', '/instance/fetchInstances?instanceName=going')).body;
      expect(listed).toMatchObject({ name: 'going', connectionStatus: 'close' });
      expect((await slow.call('DELETE', '/instance/delete/going')).status).toBe(200); // a second delete
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await slow.call('GET', '/instance/fetchInstances?instanceName=going')).status).toBe(404);
      const created = await slow.call('POST', '/instance/create', {
        body: { instanceName: 'going', integration: 'WHATSAPP-BAILEYS' },
      });
      expect(created.status).toBe(201);
    } finally {
      await slow.close();
    }
  });

  it('uses a stable default phone per instance', async () => {
    await createInstance(emulator, 'stable-phone');
    const [first] = (await emulator.call('GET', '/instance/fetchInstances?instanceName=stable-phone')).body;
    await emulator.call('DELETE', '/instance/delete/stable-phone');
    await createInstance(emulator, 'stable-phone');
    const [second] = (await emulator.call('GET', '/instance/fetchInstances?instanceName=stable-phone')).body;
    expect(first.ownerJid).toMatch(/^55119\d{8}@s\.whatsapp\.net$/);
    expect(second.ownerJid).toBe(first.ownerJid);
  });

  it('refuses to scan an instance that shows no QR', async () => {
    await createInstance(emulator, 'no-qr', { open: false });
    const reply = await emulator.call('POST', '/_emulator/instances/no-qr/scan', { body: {}, apikey: null });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('invalid_state');
  });
});
