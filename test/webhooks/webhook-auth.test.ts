// Who may post to the webhook: only the instance's gateway, proven by the instance's own secret
// (evolution-api.md, "Verifying webhooks"). Forged requests get 401 and provably change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookStats } from '../../src/domain/webhooks/webhook-stats.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  footprint,
  hubSignature,
  postWebhook,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { WEBHOOK_BODY_LIMIT: String(64 * 1024) } });
  [ana, bea] = await Promise.all([connectedAdvisor(service, 'Ana'), connectedAdvisor(service, 'Bea')]);
});
afterAll(async () => {
  await service?.close();
});

let seq = 0;
const inbound = (advisor: ConnectedAdvisor, text = 'Hola') =>
  JSON.stringify(
    envelope(advisor.instanceName, 'messages.upsert', upsertData('+34699000111', text, `AUTH${seq++}`)),
  );

async function conversations(advisor: ConnectedAdvisor) {
  return (await advisor.client.get('/api/whatsapp/conversations')).body.items as {
    phone: string;
    unread: number;
  }[];
}

describe('accepted requests', () => {
  it('accepts a Bearer JWT signed with the instance secret and processes the event', async () => {
    const res = await postWebhook(service, inbound(ana, 'hola con jwt'), {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
    });
    expect(res).toEqual({ status: 200, body: { received: true } });
    const items = await waitFor(
      () => conversations(ana),
      (c) => c.some((x) => x.phone === '+34699000111'),
    );
    expect(items.find((x) => x.phone === '+34699000111')!.unread).toBeGreaterThanOrEqual(1);
  });

  it('accepts the x-webhook-secret header alone (gateways older than jwt_key)', async () => {
    const before = await footprint(service, ana.userId);
    const res = await postWebhook(service, inbound(ana), { 'x-webhook-secret': ana.secret });
    expect(res.status).toBe(200);
    await waitFor(
      () => footprint(service, ana.userId),
      (f) => f.messages === before.messages + 1,
    );
  });

  it('accepts a matching x-hub-signature-256 next to the token', async () => {
    const before = await footprint(service, ana.userId);
    const body = inbound(ana);
    const res = await postWebhook(service, body, {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
      'x-hub-signature-256': hubSignature(ana.secret, body),
    });
    expect(res.status).toBe(200);
    await waitFor(
      () => footprint(service, ana.userId),
      (f) => f.messages === before.messages + 1,
    );
  });

  it('takes UPPER_SNAKE names and the byEvents path suffixes', async () => {
    const before = await footprint(service, ana.userId);
    const auth = { authorization: `Bearer ${webhookJwt(ana.secret)}` };
    const upper = JSON.stringify(
      envelope(ana.instanceName, 'MESSAGES_UPSERT', upsertData('+34699000222', 'upper', `AUTH${seq++}`)),
    );
    expect((await postWebhook(service, upper, auth, '/api/whatsapp/webhook/messages-upsert')).status).toBe(
      200,
    );
    // No `event` in the body: the path names it.
    const { event: _event, ...noEvent } = envelope(
      ana.instanceName,
      'x',
      upsertData('+34699000222', 'path only', `AUTH${seq++}`),
    );
    expect(
      (await postWebhook(service, JSON.stringify(noEvent), auth, '/api/whatsapp/webhook/messages-upsert'))
        .status,
    ).toBe(200);
    await waitFor(
      () => footprint(service, ana.userId),
      (f) => f.events === before.events + 2 && f.messages === before.messages + 2,
      { what: 'both events stored and processed' },
    );
  });

  it('acknowledges unknown events without storing them, once verified', async () => {
    const before = await footprint(service, ana.userId);
    const body = JSON.stringify(envelope(ana.instanceName, 'presence.update', { id: 'x', presences: {} }));
    const res = await postWebhook(service, body, { authorization: `Bearer ${webhookJwt(ana.secret)}` });
    expect(res.status).toBe(200);
    expect(await footprint(service, ana.userId)).toEqual(before);
    // Unverified, even an unknown event is refused.
    expect((await postWebhook(service, body, {})).status).toBe(401);
  });
});

describe('forged requests', () => {
  const forgeries: [string, () => { body: string; headers: Record<string, string> }][] = [
    ['no credentials at all', () => ({ body: inbound(ana), headers: {} })],
    [
      'an expired token',
      () => ({
        body: inbound(ana),
        headers: { authorization: `Bearer ${webhookJwt(ana.secret, { exp: 1_700_000_000 })}` },
      }),
    ],
    [
      'a token with the wrong app claim',
      () => ({
        body: inbound(ana),
        headers: { authorization: `Bearer ${webhookJwt(ana.secret, { app: 'other' })}` },
      }),
    ],
    [
      'a token signed with another instance’s secret',
      () => ({ body: inbound(ana), headers: { authorization: `Bearer ${webhookJwt(bea.secret)}` } }),
    ],
    [
      'another instance’s x-webhook-secret',
      () => ({ body: inbound(ana), headers: { 'x-webhook-secret': bea.secret } }),
    ],
    [
      'an unsigned token (alg none)',
      () => {
        const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        const exp = Math.floor(Date.now() / 1000) + 600;
        const token = `${part({ alg: 'none' })}.${part({ exp, app: 'evolution', action: 'webhook' })}.`;
        return { body: inbound(ana), headers: { authorization: `Bearer ${token}` } };
      },
    ],
    [
      'a tampered body under a body signature',
      () => {
        const original = inbound(ana, 'original');
        return {
          body: original.replace('original', 'tampered'),
          headers: {
            authorization: `Bearer ${webhookJwt(ana.secret)}`,
            'x-hub-signature-256': hubSignature(ana.secret, original),
          },
        };
      },
    ],
    [
      'a body signature alone (no token or secret)',
      () => {
        const body = inbound(ana);
        return { body, headers: { 'x-hub-signature-256': hubSignature(ana.secret, body) } };
      },
    ],
    [
      'an instance we never created',
      () => ({
        body: JSON.stringify(
          envelope('adv_ffffffffffffffffffff', 'messages.upsert', upsertData('+34699000111', 'x', 'U1')),
        ),
        headers: { authorization: `Bearer ${webhookJwt(ana.secret)}` },
      }),
    ],
  ];

  it.each(forgeries)('refuses %s with 401 and changes nothing', async (_name, forge) => {
    const before = await footprint(service, ana.userId);
    const rejected = webhookStats.rejected;
    const { body, headers } = forge();
    const res = await postWebhook(service, body, headers);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_webhook_credentials');
    expect(webhookStats.rejected).toBe(rejected + 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(await footprint(service, ana.userId)).toEqual(before);
  });

  it('never lets one advisor’s secret write into another advisor’s inbox', async () => {
    const body = inbound(bea, 'cross');
    const res = await postWebhook(service, body, {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
      'x-webhook-secret': ana.secret,
    });
    expect(res.status).toBe(401);
  });
});

describe('malformed bodies', () => {
  const signed = () => ({ authorization: `Bearer ${webhookJwt(ana.secret)}` });

  it.each([
    ['not JSON', '{"event": "messages.upsert", '],
    ['a JSON array', '[1, 2, 3]'],
    ['a JSON string', '"hello"'],
    ['an envelope with no instance', JSON.stringify({ event: 'messages.upsert', data: {} })],
  ])('answers %s with 400 invalid_webhook_payload', async (_name, body) => {
    const res = await postWebhook(service, body, signed());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_webhook_payload');
  });

  it('answers a verified event with unreadable data with 400 (Evolution does not retry a 400)', async () => {
    const body = JSON.stringify(envelope(ana.instanceName, 'messages.update', { status: 'READ' }));
    const res = await postWebhook(service, body, signed());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_webhook_payload');
  });

  it('answers an empty body with 400', async () => {
    const res = await fetch(`${service.url}/api/whatsapp/webhook`, { method: 'POST', headers: signed() });
    expect(res.status).toBe(400);
  });

  it('answers a body over WEBHOOK_BODY_LIMIT with 413', async () => {
    const body = inbound(ana, 'x'.repeat(70 * 1024));
    const res = await postWebhook(service, body, signed());
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});
