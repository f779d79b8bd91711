// The webhook counts on /metrics as Prometheus counters (`_total`, TYPE counter), so that rate()
// and increase() read a restart as a counter reset. They used to be exported only as gauges
// (ww_webhook_events, ww_webhook_rejections), which stay for existing dashboards, marked
// deprecated. Real signed and forged webhooks go through the service; /metrics is scraped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  footprint,
  postWebhook,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

const REASONS = [
  'unknown_instance',
  'no_credentials',
  'bad_token',
  'expired_token',
  'bad_secret',
  'bad_body_signature',
];

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const scrape = async () => (await fetch(`${service.url}/metrics`)).text();

/** The value of one series in the Prometheus text, or undefined when it is not there. */
function sample(text: string, name: string, label: string, value: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}="${value}"} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Every series of one metric, by its one label's value. */
function series(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  const pattern = new RegExp(`^${name}\\{\\w+="([^"]*)"\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(pattern)) found.set(m[1]!, Number(m[2]));
  return found;
}

let seq = 0;
const inbound = (text: string) =>
  JSON.stringify(
    envelope(ana.instanceName, 'messages.upsert', upsertData('+34699000333', text, `CNT${seq++}`)),
  );

describe('webhook counters on /metrics', () => {
  it('counts results and rejections by reason as _total counters, next to the deprecated gauges', async () => {
    const before = await scrape();
    // Declared as counters, and every rejection reason is there from the start (at 0 before any
    // rejection), so increase() sees the first one.
    expect(before).toContain('# TYPE ww_webhook_events_total counter');
    expect(before).toContain('# TYPE ww_webhook_rejections_total counter');
    for (const reason of REASONS) {
      expect(sample(before, 'ww_webhook_rejections_total', 'reason', reason), reason).toBeTypeOf('number');
    }
    // The gauges stay, said to be deprecated.
    expect(before).toContain('# TYPE ww_webhook_events gauge');
    expect(before).toContain('# TYPE ww_webhook_rejections gauge');
    expect(before).toMatch(/^# HELP ww_webhook_events .*[Dd]eprecated.*ww_webhook_events_total/m);
    expect(before).toMatch(/^# HELP ww_webhook_rejections .*[Dd]eprecated.*ww_webhook_rejections_total/m);

    const messages = (await footprint(service, ana.userId)).messages;
    const signed = () => ({ authorization: `Bearer ${webhookJwt(ana.secret)}` });
    for (const text of ['uno', 'dos', 'tres']) {
      expect((await postWebhook(service, inbound(text), signed())).status).toBe(200);
    }
    const presence = JSON.stringify(
      envelope(ana.instanceName, 'presence.update', { id: 'x', presences: {} }),
    );
    expect((await postWebhook(service, presence, signed())).status).toBe(200);
    const forged: [string, string, Record<string, string>][] = [
      ['bad_secret', inbound('x'), { 'x-webhook-secret': 'not-the-secret' }],
      ['bad_secret', inbound('x'), { 'x-webhook-secret': 'not-it-either' }],
      [
        'expired_token',
        inbound('x'),
        { authorization: `Bearer ${webhookJwt(ana.secret, { exp: 1_700_000_000 })}` },
      ],
      ['no_credentials', inbound('x'), {}],
      [
        'unknown_instance',
        JSON.stringify(
          envelope('adv_ffffffffffffffffffff', 'messages.upsert', upsertData('+34699000333', 'x', 'U')),
        ),
        signed(),
      ],
    ];
    for (const [reason, body, headers] of forged) {
      expect((await postWebhook(service, body, headers)).status, reason).toBe(401);
    }
    expect((await postWebhook(service, '{not json', signed())).status).toBe(400);
    // The three messages are processed by the worker of this same process.
    await waitFor(
      () => footprint(service, ana.userId),
      (f) => f.messages === messages + 3,
      { what: 'the three messages stored' },
    );
    const after = await waitFor(
      scrape,
      (t) =>
        (sample(t, 'ww_webhook_events_total', 'result', 'processed') ?? 0) >=
        (sample(before, 'ww_webhook_events_total', 'result', 'processed') ?? 0) + 3,
      { what: 'the three webhooks counted as processed' },
    );

    const grew = (name: string, label: string, value: string) =>
      (sample(after, name, label, value) ?? NaN) - (sample(before, name, label, value) ?? 0);
    expect(grew('ww_webhook_events_total', 'result', 'accepted')).toBeGreaterThanOrEqual(3);
    expect(grew('ww_webhook_events_total', 'result', 'ignored')).toBeGreaterThanOrEqual(1);
    expect(grew('ww_webhook_events_total', 'result', 'rejected')).toBe(5);
    expect(grew('ww_webhook_events_total', 'result', 'invalid')).toBe(1);
    expect(
      Object.fromEntries(REASONS.map((r) => [r, grew('ww_webhook_rejections_total', 'reason', r)])),
    ).toEqual({
      unknown_instance: 1,
      no_credentials: 1,
      bad_token: 0,
      expired_token: 1,
      bad_secret: 2,
      bad_body_signature: 0,
    });

    // The counters and the deprecated gauges read the same counts: a dashboard can move from one
    // to the other without a jump. Nothing else posts webhooks now, so one scrape holds both.
    const settled = await scrape();
    expect(series(settled, 'ww_webhook_events_total')).toEqual(series(settled, 'ww_webhook_events'));
    const rejections = series(settled, 'ww_webhook_rejections');
    for (const [reason, n] of series(settled, 'ww_webhook_rejections_total')) {
      expect(rejections.get(reason) ?? 0, reason).toBe(n);
    }
    // A counter never goes down from one scrape to the next.
    for (const [result, n] of series(after, 'ww_webhook_events_total')) {
      expect(series(settled, 'ww_webhook_events_total').get(result)!, result).toBeGreaterThanOrEqual(n);
    }
  });
});
