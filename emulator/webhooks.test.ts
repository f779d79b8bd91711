// Webhook configuration and delivery: envelope, event names, byEvents URLs, headers and the jwt_key Bearer
// token (reference §3.8-§3.9, §4.1-§4.3).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createInstance, startTestEmulator, type TestEmulator } from './testing/harness.js';
import { startReceiver, type ReceivedRequest, type WebhookReceiver } from './testing/webhook-receiver.js';

let emulator: TestEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator({ serverUrl: 'https://evo.example' });
  receiver = await startReceiver();
});

beforeEach(() => {
  receiver.requests.length = 0;
  receiver.respondWith(() => 200);
});

afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

/** Verifies an HS256 JWT independently of the emulator's signer; returns the claims or null. */
function verifyJwt(token: string, secret: string): Record<string, unknown> | null {
  const [head, body, signature] = token.split('.');
  if (!head || !body || !signature) return null;
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
  if (header.alg !== 'HS256') return null;
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const send = (name: string, text = 'hi') =>
  emulator.call('POST', `/message/sendText/${name}`, { body: { number: '34612345678', text } });

describe('webhook/set and webhook/find', () => {
  it('stores the nested body and returns the row; find returns it or null', async () => {
    await createInstance(emulator, 'cfg', { open: false });
    const none = await emulator.call('GET', '/webhook/find/cfg');
    expect(none.status).toBe(200);
    expect(none.body).toBeNull();
    const set = await emulator.call('POST', '/webhook/set/cfg', {
      body: {
        webhook: { enabled: true, url: receiver.url, headers: { 'x-a': '1' }, events: ['SEND_MESSAGE'] },
      },
    });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({
      url: receiver.url,
      headers: { 'x-a': '1' },
      enabled: true,
      events: ['SEND_MESSAGE'],
      webhookByEvents: false,
      webhookBase64: false,
    });
    expect((await emulator.call('GET', '/webhook/find/cfg')).body).toEqual(set.body);
  });

  it('rejects dotted event names with the enum error', async () => {
    await createInstance(emulator, 'dotted', { open: false });
    const reply = await emulator.call('POST', '/webhook/set/dotted', {
      body: { webhook: { enabled: true, url: receiver.url, events: ['messages.upsert'] } },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.response.message[0]).toMatch(
      /^webhook\.events\[0\] is not one of enum values: APPLICATION_STARTUP,/,
    );
  });

  it('answers enabled:true without events with the 500 TypeError string', async () => {
    await createInstance(emulator, 'no-events', { open: false });
    const reply = await emulator.call('POST', '/webhook/set/no-events', {
      body: { webhook: { enabled: true, url: receiver.url } },
    });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({
      status: 500,
      error: 'Internal Server Error',
      response: { message: "Cannot read properties of undefined (reading 'length')" },
    });
  });

  it('expands [] to every event and wipes the list when disabled', async () => {
    await createInstance(emulator, 'all', { open: false });
    const all = await emulator.call('POST', '/webhook/set/all', {
      body: { webhook: { enabled: true, url: receiver.url, events: [] } },
    });
    expect(all.body.events).toContain('MESSAGES_UPSERT');
    expect(all.body.events).toContain('LOGOUT_INSTANCE');
    const off = await emulator.call('POST', '/webhook/set/all', {
      body: { webhook: { enabled: false, url: receiver.url, events: ['SEND_MESSAGE'] } },
    });
    expect(off.body).toMatchObject({ enabled: false, events: [] });
  });

  it('stores an inline webhook of create as enabled, and fails the create without an events array', async () => {
    const created = await emulator.call('POST', '/instance/create', {
      body: {
        instanceName: 'inline',
        integration: 'WHATSAPP-BAILEYS',
        webhook: { url: receiver.url, enabled: false, byEvents: false, events: ['SEND_MESSAGE'] },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook).toEqual({ webhookUrl: receiver.url, webhookByEvents: false });
    expect((await emulator.call('GET', '/webhook/find/inline')).body).toMatchObject({
      enabled: true,
      events: ['SEND_MESSAGE'],
    });
    const broken = await emulator.call('POST', '/instance/create', {
      body: {
        instanceName: 'inline-broken',
        integration: 'WHATSAPP-BAILEYS',
        webhook: { url: receiver.url },
      },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.response.message).toEqual(["Cannot read properties of undefined (reading 'length')"]);
    expect((await emulator.call('GET', '/instance/connectionState/inline-broken')).status).toBe(404);
  });

  it('requires the nested body', async () => {
    await createInstance(emulator, 'flat', { open: false });
    const reply = await emulator.call('POST', '/webhook/set/flat', {
      body: { enabled: true, url: receiver.url },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.response.message).toEqual(['instance requires property "webhook"']);
  });
});

describe('delivery', () => {
  it('sends the envelope with the dotted event, destination, sender and server_url', async () => {
    await createInstance(emulator, 'env', {
      webhook: { enabled: true, url: receiver.url, events: ['SEND_MESSAGE'] },
      phone: '5511955554444',
    });
    const sent = await send('env');
    const [request] = await receiver.waitFor((r) => r.length >= 1);
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/');
    expect(Object.keys(request!.body)).toEqual([
      'event',
      'instance',
      'data',
      'destination',
      'date_time',
      'sender',
      'server_url',
      'apikey',
    ]);
    expect(request!.body).toMatchObject({
      event: 'send.message',
      instance: 'env',
      data: sent.body,
      destination: receiver.url,
      sender: '5511955554444@s.whatsapp.net',
      server_url: 'https://evo.example',
      apikey: null,
    });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('axios/1.7.9');
  });

  it('leaves sender out before the first open', async () => {
    await createInstance(emulator, 'early', {
      open: false,
      webhook: { enabled: true, url: receiver.url, events: ['CONNECTION_UPDATE'] },
    });
    await emulator.call('GET', '/instance/connect/early');
    const [request] = await receiver.waitFor((r) => r.length >= 1);
    expect(request!.body.event).toBe('connection.update');
    expect(request!.body).not.toHaveProperty('sender');
  });

  it('appends the kebab event name with byEvents, by plain concatenation', async () => {
    await createInstance(emulator, 'by-events', {
      webhook: { enabled: true, url: `${receiver.url}/hooks/`, byEvents: true, events: ['SEND_MESSAGE'] },
    });
    await send('by-events');
    const [request] = await receiver.waitFor((r) => r.length >= 1);
    expect(request!.path).toBe('/hooks//send-message');
    expect(request!.body.destination).toBe(`${receiver.url}/hooks/`);
  });

  it('only sends subscribed events', async () => {
    await createInstance(emulator, 'picky', {
      webhook: { enabled: true, url: receiver.url, events: ['MESSAGES_UPDATE'] },
    });
    const emitted = async (): Promise<number> =>
      (await emulator.call('GET', '/_emulator/stats', { apikey: null })).body.webhooks.emitted;
    const before = await emitted();
    await send('picky');
    // Subscription is decided synchronously when the event is raised, so the counter shows it at once.
    expect(await emitted()).toBe(before);
    await emulator.call('POST', '/_emulator/instances/picky/emit', {
      body: { event: 'MESSAGES_UPDATE', data: { marker: 1 } },
      apikey: null,
    });
    expect(await emitted()).toBe(before + 1);
    await receiver.waitFor((r) => r.length >= 1);
    expect(receiver.requests.map((r) => r.body.event)).toEqual(['messages.update']);
  });

  it('sends custom headers and swaps jwt_key for a verifiable HS256 Bearer token', async () => {
    await createInstance(emulator, 'signed', {
      webhook: {
        enabled: true,
        url: receiver.url,
        headers: { jwt_key: 'per-instance-secret', 'x-webhook-secret': 'per-instance-secret' },
        events: ['SEND_MESSAGE'],
      },
    });
    const before = Math.floor(Date.now() / 1000);
    await send('signed');
    const [request] = await receiver.waitFor((r) => r.length >= 1);
    const headers = (request as ReceivedRequest).headers;
    expect(headers['x-webhook-secret']).toBe('per-instance-secret');
    expect(headers).not.toHaveProperty('jwt_key');
    const authorization = String(headers.authorization);
    expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const token = authorization.slice('Bearer '.length);
    const claims = verifyJwt(token, 'per-instance-secret');
    expect(claims).toMatchObject({ app: 'evolution', action: 'webhook' });
    expect(claims!.iat).toBeGreaterThanOrEqual(before);
    expect(claims!.exp).toBe((claims!.iat as number) + 600);
    expect(verifyJwt(token, 'another-secret')).toBeNull();
  });

  it('prints local wall time of the configured zone with a Z (the date_time quirk)', async () => {
    const kolkata = await startTestEmulator({ timezone: 'Asia/Kolkata' });
    try {
      await createInstance(kolkata, 'tz', {
        webhook: { enabled: true, url: receiver.url, events: ['SEND_MESSAGE'] },
      });
      await kolkata.call('POST', '/message/sendText/tz', { body: { number: '34612345678', text: 'x' } });
      const [request] = await receiver.waitFor((r) => r.length >= 1);
      const dateTime = String(request!.body.date_time);
      expect(dateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const shiftMs = Date.parse(dateTime) - request!.at;
      expect(Math.abs(shiftMs - 5.5 * 3_600_000)).toBeLessThan(5_000);
    } finally {
      await kolkata.close();
    }
  });

  it('puts the instance token in apikey when the emulator exposes it', async () => {
    const exposing = await startTestEmulator({ exposeApiKeyInWebhooks: true });
    try {
      const { token } = await createInstance(exposing, 'exposed', {
        webhook: { enabled: true, url: receiver.url, events: ['SEND_MESSAGE'] },
      });
      await exposing.call('POST', '/message/sendText/exposed', {
        body: { number: '34612345678', text: 'x' },
      });
      const [request] = await receiver.waitFor((r) => r.length >= 1);
      expect(request!.body.apikey).toBe(token);
    } finally {
      await exposing.close();
    }
  });

  it('emits raw data through the control API with the real envelope', async () => {
    await createInstance(emulator, 'raw', { webhook: { enabled: true, url: receiver.url, events: [] } });
    const reply = await emulator.call('POST', '/_emulator/instances/raw/emit', {
      body: { event: 'messages.delete', data: { id: 'X' } },
      apikey: null,
    });
    expect(reply.body).toEqual({ event: 'messages.delete', subscribed: true });
    const [request] = await receiver.waitFor((r) => r.some((x) => x.body.event === 'messages.delete'));
    expect(request).toBeDefined();
    expect(receiver.events('messages.delete')[0]!.body).toMatchObject({ instance: 'raw', data: { id: 'X' } });
  });
});
