// The webhook flood (drill 5 at full rate): Evolution's receipts for 10,000 messages already
// sent, each delivered twice and all shuffled (a READ often before its DELIVERY_ACK), posted as
// fast as one API process takes them, signed as Evolution signs them. Targets: at least 5,000
// events/s accepted, no error answer, then every message `read` with its timestamps and no status
// ever seen moving back. The worker starts once the flood is stored, as one on another machine
// catching up would: on these 2 cores a worker processing meanwhile takes the API's CPU (and
// processing is slower than acceptance: the backlog waits, stored). The storm drill does the
// same at the pipeline's own pace, racing the sends, with the worker running throughout.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

import { SecretBox } from '../../src/domain/crypto/secret-box.js';
import { counts, seconds, type DrillResult, type DrillSizes } from './drill-support.js';
import { Monotonic, receiptOutcome } from './drill-storm.js';
import { startPipeline } from './pipeline-stack.js';
import { fmt, sleep, startServiceProcess, type Child } from './stack.js';
import { evolutionWebhookToken } from './webhook-token.js';

const TARGET_PER_SECOND = 5_000;

interface Receipt {
  instance: string;
  auth: string;
  keyId: string;
  status: 'SERVER_ACK' | 'DELIVERY_ACK' | 'READ';
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export async function webhookFlood(sizes: DrillSizes): Promise<DrillResult> {
  const messages = sizes.quick ? 1_000 : Math.min(sizes.messages, 10_000);
  const stack = await startPipeline({ tag: 'drillflood', advisors: 10, workers: 0 });
  let worker: Child | null = null;
  const pool = stack.database.pool;
  const http = new Pool(stack.apiUrl, { connections: 64, pipelining: 1 });
  try {
    // Each advisor's instance and webhook secret, as Evolution holds them.
    const box = new SecretBox(Buffer.from(stack.env.ENCRYPTION_KEY!, 'base64'));
    const { rows: configs } = await pool.query<{ advisor_id: string; instance_name: string; secret: string }>(
      `select advisor_id, instance_name, webhook_secret_enc as secret from whatsapp_config
        where instance_name is not null order by advisor_id`,
    );
    const tenants = configs.map((c) => ({
      advisorId: c.advisor_id,
      instance: c.instance_name,
      auth: `Bearer ${evolutionWebhookToken(box.open(c.secret))}`,
    }));
    // Messages already sent: each advisor's share, with Evolution ids.
    await pool.query(
      `insert into whatsapp_message (advisor_id, direction, phone, type, text, status, source, purpose,
         evolution_message_id, sent_at)
       select ($1::text[])[1 + k % $2], 'outbound', '+3462' || (1000000 + k), 'text', 'flood', 'sent',
         'api', 'manual', 'FLOOD' || k, now() - interval '1 minute'
       from generate_series(0, $3 - 1) k`,
      [tenants.map((t) => t.advisorId), tenants.length, messages],
    );
    const receipts: Receipt[] = [];
    for (let k = 0; k < messages; k++) {
      const t = tenants[k % tenants.length]!;
      for (const status of ['DELIVERY_ACK', 'READ'] as const) {
        const receipt = { instance: t.instance, auth: t.auth, keyId: `FLOOD${k}`, status };
        receipts.push(receipt, receipt);
      }
    }
    shuffle(receipts);

    const errors = new Map<string, number>();
    let next = 0;
    let posting: Receipt[] = [];
    const lane = async () => {
      while (next < posting.length) {
        const r = posting[next++]!;
        const body = JSON.stringify({
          event: 'messages.update',
          instance: r.instance,
          data: { keyId: r.keyId, remoteJid: '34620000000@s.whatsapp.net', fromMe: true, status: r.status },
          destination: `${stack.apiUrl}/api/whatsapp/webhook`,
          date_time: new Date().toISOString(),
          server_url: 'http://evolution.local',
          apikey: null,
        });
        try {
          const res = await http.request({
            path: '/api/whatsapp/webhook',
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: r.auth },
            body,
          });
          await res.body.dump();
          if (res.statusCode !== 200)
            errors.set(String(res.statusCode), (errors.get(String(res.statusCode)) ?? 0) + 1);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'network';
          errors.set(code, (errors.get(code) ?? 0) + 1);
        }
      }
    };
    const post = async (batch: Receipt[]) => {
      posting = batch;
      next = 0;
      await Promise.all(Array.from({ length: 64 }, lane));
    };
    // Warm-up, not timed: "sent" receipts for messages already sent change nothing.
    await post(receipts.slice(0, 4_000).map((r) => ({ ...r, status: 'SERVER_ACK' as const })));
    const startedAt = performance.now();
    await post(receipts);
    const postMs = performance.now() - startedAt;
    const perSecond = receipts.length / (postMs / 1000);

    const monitor = new Monotonic(pool);
    worker = await startServiceProcess('worker', stack.env, 'worker1');

    const until = Date.now() + (sizes.quick ? 120_000 : 300_000);
    let read = 0;
    while (Date.now() < until) {
      const { rows } = await pool.query<{ n: string }>(
        `select count(*) as n from whatsapp_message where text = 'flood' and status = 'read'`,
      );
      read = Number(rows[0]!.n);
      if (read === messages) break;
      await sleep(500);
    }
    const allReadMs = performance.now() - startedAt - postMs;
    await monitor.stop();
    await monitor.poll();
    const { byStatus, rows: found, gaps, hooks: h } = await receiptOutcome(pool, "text = 'flood'");
    const why: string[] = [];
    if (perSecond < TARGET_PER_SECOND)
      why.push(`accepted ${fmt(perSecond)} events/s, under ${fmt(TARGET_PER_SECOND)}`);
    if (errors.size) why.push(`answers other than 200: ${counts(Object.fromEntries(errors))}`);
    if (read !== messages) why.push(`${messages - read} messages not \`read\` (${counts(byStatus)})`);
    if (monitor.regressions.length) why.push(`${monitor.regressions.length} status regressions seen`);
    if (gaps) why.push(`${gaps} read messages missing a timestamp`);
    if (Number(h.errors)) why.push(`${h.errors} webhook events kept with an error`);
    return {
      drill: 'webhook-flood',
      size: `${fmt(receipts.length)} receipts for ${fmt(messages)} messages, 64 connections, 1 worker`,
      result: `${fmt(perSecond)} events/s accepted (${seconds(postMs)}); ${counts(byStatus)}; all \`read\` ${seconds(allReadMs)} after the last POST (worker start-up included)`,
      lost: messages - found,
      duplicates: null,
      notes:
        `Every receipt (DELIVERY_ACK and READ per message) posted twice, all shuffled, signed with each instance's jwt_key, ` +
        `after 4,000 untimed SERVER_ACK receipts (no-ops) to warm the API up, ` +
        `straight to the API (one process); the worker (\`WEBHOOK_CONCURRENCY\` 10) started once they were stored. ` +
        `${fmt(Number(h.total))} webhook events stored, ${h.errors} kept with an error, ${h.pending} receipts parked. ` +
        `Statuses polled ${monitor.polls} times: ${monitor.regressions.length} seen moving back; read rows missing a timestamp: ${gaps}.`,
      pass: why.length === 0,
      why,
    };
  } finally {
    await http.close();
    await worker?.stop();
    await stack.close();
  }
}
