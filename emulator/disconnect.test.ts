// The phone's side of a connection: logout (401/403 → close, STATUS_INSTANCE, LOGOUT_INSTANCE) versus a drop
// with any other code, which Baileys reconnects silently (reference §4.4 CONNECTION_UPDATE).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createInstance, poll, startTestEmulator, type TestEmulator } from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator({ reconnectDelayMs: 30 });
  receiver = await startReceiver();
});

beforeEach(() => {
  receiver.requests.length = 0;
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

const webhook = {
  enabled: true,
  url: '',
  events: ['CONNECTION_UPDATE', 'STATUS_INSTANCE', 'LOGOUT_INSTANCE'],
};
const state = async (name: string): Promise<string> =>
  (await emulator.call('GET', `/instance/connectionState/${name}`)).body.instance.state;

describe('phone disconnects', () => {
  it.each([401, 403])('logs out on %i with close, STATUS_INSTANCE and LOGOUT_INSTANCE', async (code) => {
    const name = `logout-${code}`;
    await createInstance(emulator, name, { webhook: { ...webhook, url: receiver.url } });
    await receiver.waitFor((r) => r.some((x) => (x.body.data as { state?: string }).state === 'open'));
    receiver.requests.length = 0;
    const reply = await emulator.call('POST', `/_emulator/instances/${name}/disconnect`, {
      body: { statusReason: code },
      apikey: null,
    });
    expect(reply.body).toMatchObject({ state: 'close', reconnecting: false });
    await receiver.waitFor((r) => r.length >= 3);
    expect(receiver.events('connection.update')[0]!.body.data).toEqual({
      instance: name,
      state: 'close',
      statusReason: code,
    });
    expect(receiver.events('status.instance')[0]!.body.data).toMatchObject({
      instance: name,
      status: 'closed',
      disconnectionReasonCode: code,
      disconnectionObject: expect.any(String),
    });
    expect(receiver.events('logout.instance')[0]!.body.data).toBeNull();
    expect(await state(name)).toBe('close');
  });

  it.each([408, 428, 515])('reconnects silently on %i: connecting then open, no close', async (code) => {
    const name = `drop-${code}`;
    await createInstance(emulator, name, { webhook: { ...webhook, url: receiver.url } });
    await receiver.waitFor((r) => r.some((x) => (x.body.data as { state?: string }).state === 'open'));
    receiver.requests.length = 0;
    const reply = await emulator.call('POST', `/_emulator/instances/${name}/disconnect`, {
      body: { statusReason: code },
      apikey: null,
    });
    expect(reply.body).toMatchObject({ state: 'connecting', reconnecting: true });
    await poll(
      () => state(name),
      (s) => s === 'open',
      { what: 'reconnected' },
    );
    await receiver.waitFor((r) => r.length >= 2);
    const states = receiver.requests.map((r) => (r.body.data as { state: string }).state).sort();
    expect(states).toEqual(['connecting', 'open']);
    expect(receiver.events('logout.instance')).toHaveLength(0);
  });
});
