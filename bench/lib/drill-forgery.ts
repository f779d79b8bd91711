// Forged webhooks (drill 7): someone who knows the webhook address, and nothing else, posts as
// fast as 64 connections go. Half name instances that do not exist (random names in our format),
// half name real ones with a token signed by the wrong key. None may change anything or be
// answered 2xx; what the drill measures is what they cost everyone else: an advisor's reads of
// their history and Evolution's real, signed deliveries, each timed before and during the flood.
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';

import { SecretBox } from '../../src/domain/crypto/secret-box.js';
import { counts, seconds, type DrillResult, type DrillSizes } from './drill-support.js';
import { startPipeline } from './pipeline-stack.js';
import { fmt, sleep } from './stack.js';
import { evolutionWebhookToken } from './webhook-token.js';

const FLOOD_CONNECTIONS = 64;

interface Timing {
  p50: number;
  p99: number;
  n: number;
  errors: number;
}

function timing(samples: number[], errors: number): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), n: samples.length, errors };
}

const ms = (t: Timing) => `p50 ${fmt(t.p50, 1)} / p99 ${fmt(t.p99, 1)} ms (${fmt(t.n)} requests)`;

function envelope(instance: string, keyId: string, status: string): string {
  return JSON.stringify({
    event: 'messages.update',
    instance,
    data: { keyId, remoteJid: '34620000000@s.whatsapp.net', fromMe: true, status },
    destination: 'http://api.local/api/whatsapp/webhook',
    date_time: new Date().toISOString(),
    server_url: 'http://evolution.local',
    apikey: null,
  });
}

export async function webhookForgery(sizes: DrillSizes): Promise<DrillResult> {
  const phaseMs = sizes.quick ? 5_000 : 15_000;
  const stack = await startPipeline({ tag: 'drillforge', advisors: 2, workers: 0 });
  const http = new Pool(stack.apiUrl, { connections: FLOOD_CONNECTIONS + 4, pipelining: 1 });
  const pool = stack.database.pool;
  try {
    const box = new SecretBox(Buffer.from(stack.env.ENCRYPTION_KEY!, 'base64'));
    const { rows: configs } = await pool.query<{ instance_name: string; secret: string }>(
      `select instance_name, webhook_secret_enc as secret from whatsapp_config
        where instance_name is not null order by advisor_id`,
    );
    const real = configs.map((c) => ({ instance: c.instance_name, secret: box.open(c.secret) }));
    const wrongKey = randomBytes(32).toString('base64url');
    const advisor = stack.advisors[0]!;

    const post = async (instance: string, auth: string, body: string) => {
      const res = await http.request({
        path: '/api/whatsapp/webhook',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body,
      });
      await res.body.dump();
      return res.statusCode;
    };

    // What everyone else does, one request at a time, timed: the advisor reads their history and
    // Evolution delivers a real, signed receipt (for a message that does not exist: stored and
    // processed as an unknown one, which is what most receipts cost).
    const probe = async (until: number) => {
      const reads: number[] = [];
      const hooks: number[] = [];
      let readErrors = 0;
      let hookErrors = 0;
      let k = 0;
      while (Date.now() < until) {
        let t = performance.now();
        const res = await http.request({
          path: '/api/whatsapp/messages?limit=20',
          method: 'GET',
          headers: { cookie: advisor.cookie },
        });
        await res.body.dump();
        if (res.statusCode === 200) reads.push(performance.now() - t);
        else readErrors++;
        const own = real[k++ % real.length]!;
        t = performance.now();
        const status = await post(
          own.instance,
          `Bearer ${evolutionWebhookToken(own.secret)}`,
          envelope(own.instance, `PROBE${k}`, 'DELIVERY_ACK'),
        );
        if (status === 200) hooks.push(performance.now() - t);
        else hookErrors++;
        await sleep(20);
      }
      return { reads: timing(reads, readErrors), hooks: timing(hooks, hookErrors) };
    };

    const idle = await probe(Date.now() + phaseMs);

    const forged = new Map<string, number>();
    let forgedCount = 0;
    let flooding = true;
    const lane = async (n: number) => {
      let i = 0;
      while (flooding) {
        // Even lanes: instances that do not exist; odd ones: real instances, wrong key.
        const instance =
          n % 2 === 0 ? `adv_${randomBytes(10).toString('hex')}` : real[i % real.length]!.instance;
        i++;
        try {
          const status = await post(
            instance,
            `Bearer ${evolutionWebhookToken(wrongKey)}`,
            envelope(instance, `FORGED${n}_${i}`, 'READ'),
          );
          forged.set(String(status), (forged.get(String(status)) ?? 0) + 1);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'network';
          forged.set(code, (forged.get(code) ?? 0) + 1);
        }
        forgedCount++;
      }
    };
    const before = await pool.query<{ n: string }>(
      `select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`,
    );
    stack.cpu.begin();
    const floodStarted = performance.now();
    const lanes = Array.from({ length: FLOOD_CONNECTIONS }, (_, n) => lane(n));
    await sleep(1_000);
    const forgedAtProbe = forgedCount;
    const probeStarted = performance.now();
    const flooded = await probe(Date.now() + phaseMs);
    const forgedRate = (forgedCount - forgedAtProbe) / ((performance.now() - probeStarted) / 1000);
    flooding = false;
    await Promise.all(lanes);
    const floodSeconds = (performance.now() - floodStarted) / 1000;
    const cpu = stack.cpu.end(floodSeconds);
    const after = await pool.query<{ n: string }>(
      `select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`,
    );
    const statementsPerForged = (Number(after.rows[0]!.n) - Number(before.rows[0]!.n)) / forgedCount;

    // Nothing forged may have been stored.
    const { rows: stored } = await pool.query<{ n: string }>(
      `select count(*) as n from webhook_event where payload::text like '%FORGED%'`,
    );
    const accepted = [...forged].filter(([status]) => status.startsWith('2')).reduce((s, [, n]) => s + n, 0);
    const why: string[] = [];
    if (accepted > 0) why.push(`${accepted} forged requests answered 2xx`);
    if (Number(stored[0]!.n) > 0) why.push(`${stored[0]!.n} forged events stored`);
    if (flooded.hooks.errors > 0 || idle.hooks.errors > 0)
      why.push(`${flooded.hooks.errors + idle.hooks.errors} real deliveries not answered 200`);
    if (flooded.reads.errors > 0) why.push(`${flooded.reads.errors} history reads failed`);
    return {
      drill: 'webhook-forgery',
      size: `${fmt(forgedCount)} forged webhooks from ${FLOOD_CONNECTIONS} connections in ${seconds(floodSeconds * 1000)}`,
      result:
        `${fmt(forgedRate)} forged/s answered (${counts(Object.fromEntries(forged))}); history read ` +
        `${ms(flooded.reads)} against ${ms(idle.reads)} idle; real deliveries ${ms(flooded.hooks)} against ${ms(idle.hooks)} idle`,
      lost: 0,
      duplicates: null,
      notes:
        `Half the forged requests name instances that do not exist (random names in our format), half name ` +
        `real instances with a token signed by the wrong key; all as Evolution's \`messages.update\`. ` +
        `PostgreSQL transactions per forged request: ${fmt(statementsPerForged, 2)}. CPU during the flood: ${cpu}. ` +
        `Forged events stored: ${stored[0]!.n}.`,
      pass: why.length === 0,
      why,
    };
  } finally {
    await http.close();
    await stack.close();
  }
}
