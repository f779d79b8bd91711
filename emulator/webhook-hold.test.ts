// Held deliveries (control API webhooks/hold and webhooks/release): a receiver that failed some
// deliveries gets their retries later, with the first attempt's body, `date_time` included
// (reference §4.2, §4.3), after events that happened since.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createInstance, startTestEmulator, type TestEmulator } from './testing/harness.js';
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

const control = (method: string, path: string, body?: unknown) =>
  emulator.call(method, `/_emulator/instances/${path}`, { body, apikey: null });

describe('holding webhooks back', () => {
  it('sends a held logout only on release, with its own date_time, after the later open', async () => {
    const name = 'held-logout';
    await createInstance(emulator, name, {
      webhook: { enabled: true, url: receiver.url, events: ['CONNECTION_UPDATE', 'LOGOUT_INSTANCE'] },
    });
    await receiver.waitFor((r) => r.some((x) => (x.body.data as { state?: string })?.state === 'open'));
    receiver.requests.length = 0;

    const hold = await control('PUT', `${name}/webhooks/hold`, { events: ['logout.instance'] });
    expect(hold.body).toEqual({ events: ['LOGOUT_INSTANCE'], held: 0 });
    await control('POST', `${name}/disconnect`, { statusReason: 401 });
    await receiver.waitFor((r) => r.some((x) => x.body.event === 'connection.update'));
    await control('PUT', `${name}/webhooks/hold`, { events: [] });

    // Linked again: its open is delivered at once; the held logout has not been sent.
    await emulator.call('GET', `/instance/connect/${name}`);
    await control('POST', `${name}/scan`, {});
    const open = (
      await receiver.waitFor((r) => r.some((x) => (x.body.data as { state?: string })?.state === 'open'))
    ).find((x) => (x.body.data as { state?: string })?.state === 'open')!;
    expect(receiver.events('logout.instance')).toEqual([]);
    const log = (await control('GET', `${name}/webhooks?event=LOGOUT_INSTANCE`)).body;
    expect(log).toMatchObject([{ attempt: 1, outcome: 'held', status: null }]);

    expect((await control('POST', `${name}/webhooks/release`)).body).toEqual({ released: 1 });
    await receiver.waitFor((r) => r.some((x) => x.body.event === 'logout.instance'));
    const logout = receiver.events('logout.instance')[0]!;
    expect(logout.body.data).toBeNull();
    // Dated when the logout happened, before the open that was delivered ahead of it.
    expect(Date.parse(logout.body.date_time as string)).toBeLessThan(
      Date.parse(open.body.date_time as string),
    );
    const after = (await control('GET', `${name}/webhooks?event=LOGOUT_INSTANCE`)).body;
    expect(after.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([
      [1, 'held'],
      [2, 'delivered'],
    ]);
    expect(after[0].deliveryId).toBe(after[1].deliveryId);
    expect((await control('POST', `${name}/webhooks/release`)).body).toEqual({ released: 0 });
  });

  it('answers 404 for an unknown instance and 400 for a body without events', async () => {
    expect((await control('PUT', 'nobody/webhooks/hold', { events: [] })).status).toBe(404);
    await createInstance(emulator, 'held-bad-body', { open: false });
    expect((await control('PUT', 'held-bad-body/webhooks/hold', {})).status).toBe(400);
  });
});
