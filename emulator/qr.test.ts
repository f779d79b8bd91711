// QR rotation, pairing codes and the QR limit (reference §3.2).
import { afterEach, describe, expect, it } from 'vitest';

import { createInstance, poll, startTestEmulator, type TestEmulator } from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await emulator?.close();
  await receiver?.close();
});

describe('QR codes', () => {
  it('rotates with a growing count and a new code, one webhook per QR', async () => {
    emulator = await startTestEmulator({ qrTimeoutMs: 40 });
    receiver = await startReceiver();
    await createInstance(emulator, 'rot', {
      open: false,
      webhook: { enabled: true, url: receiver.url, events: ['QRCODE_UPDATED', 'CONNECTION_UPDATE'] },
    });
    await emulator.call('GET', '/instance/connect/rot');
    const counts: number[] = [];
    await poll(
      async () => {
        counts.push((await emulator!.call('GET', '/instance/connect/rot')).body.count as number);
        return counts.at(-1)!;
      },
      (count) => count >= 3,
      { what: 'QR count 3' },
    );
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    await receiver.waitFor((r) => r.filter((x) => x.body.event === 'qrcode.updated').length >= 3);
    const codes = receiver
      .events('qrcode.updated')
      .map((r) => (r.body.data as { qrcode: { code: string } }).qrcode.code);
    expect(new Set(codes).size).toBe(codes.length);
    const first = receiver.events('qrcode.updated')[0]!;
    expect(first.body.data).toMatchObject({ qrcode: { instance: 'rot', pairingCode: null } });
    expect((first.body.data as { qrcode: { base64: string } }).qrcode.base64).toMatch(
      /^data:image\/png;base64,/,
    );
    expect(receiver.events('connection.update')[0]!.body.data).toEqual({
      instance: 'rot',
      state: 'connecting',
      statusReason: 200,
    });
  });

  it('gives an 8-character pairing code when connect has ?number=', async () => {
    emulator = await startTestEmulator();
    await createInstance(emulator, 'pair', { open: false });
    await emulator.call('GET', '/instance/connect/pair?number=5511987654321');
    const body = await poll(
      async () => (await emulator!.call('GET', '/instance/connect/pair')).body,
      (b) => typeof b.pairingCode === 'string',
      { what: 'pairing code' },
    );
    expect(body.pairingCode).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);
  });

  it('links the number that asked for the pairing code; a later plain QR links the default one', async () => {
    emulator = await startTestEmulator();
    await createInstance(emulator, 'typed', { open: false });
    const linked = async () =>
      (await emulator!.call('GET', '/instance/fetchInstances?instanceName=typed')).body[0].ownerJid;
    const shown = (field: 'pairingCode' | 'code') =>
      poll(
        async () => (await emulator!.call('GET', '/instance/connect/typed')).body,
        (b) => typeof b[field] === 'string',
        { what: field },
      );

    await emulator.call('GET', '/instance/connect/typed?number=34612345678');
    await shown('pairingCode');
    expect(
      (await emulator.call('POST', '/_emulator/instances/typed/scan', { body: {}, apikey: null })).status,
    ).toBe(200);
    expect(await linked()).toBe('34612345678@s.whatsapp.net');

    await emulator.call('DELETE', '/instance/logout/typed');
    await emulator.call('GET', '/instance/connect/typed');
    expect((await shown('code')).pairingCode ?? null).toBeNull();
    await emulator.call('POST', '/_emulator/instances/typed/scan', { body: {}, apikey: null });
    expect(await linked()).toMatch(/^55119\d{8}@s\.whatsapp\.net$/);
  });

  it('gives up after qrLimit QRs: limit message, refused 428, then close', async () => {
    emulator = await startTestEmulator({ qrTimeoutMs: 15, qrLimit: 3 });
    receiver = await startReceiver();
    await createInstance(emulator, 'limit', {
      open: false,
      webhook: { enabled: true, url: receiver.url, events: ['QRCODE_UPDATED', 'CONNECTION_UPDATE'] },
    });
    await emulator.call('GET', '/instance/connect/limit');
    await receiver.waitFor((r) => r.some((x) => (x.body.data as { state?: string }).state === 'refused'));
    const qrEvents = receiver.events('qrcode.updated').map((r) => r.body.data as Record<string, unknown>);
    expect(qrEvents.filter((d) => d.qrcode)).toHaveLength(3);
    expect(qrEvents.at(-1)).toEqual({
      message: 'QR code limit reached, please login again',
      statusCode: 500,
    });
    const refused = receiver.events('connection.update').at(-1)!.body.data;
    expect(refused).toMatchObject({ instance: 'limit', state: 'refused', statusReason: 428 });
    const state = (await emulator.call('GET', '/instance/connectionState/limit')).body.instance.state;
    expect(state).toBe('close');
  });
});
