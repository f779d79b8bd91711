// The webhook storm: receipts on and racing the send response, every webhook delivered twice and
// deliveries shuffled, while messages go out as fast as the pipeline takes them. Every message must
// end `read`, and no status may ever be seen moving back.
import type pg from 'pg';

import {
  advisorsFor,
  checkSent,
  counts,
  emulatorStats,
  seconds,
  setFaults,
  watchedLoad,
  type DrillResult,
  type DrillSizes,
} from './drill-support.js';
import { startPipeline } from './pipeline-stack.js';
import { fmt, sleep } from './stack.js';

const RANK: Record<string, number> = { queued: 1, scheduled: 1, sending: 2, sent: 3, delivered: 4, read: 5 };

/** Polls every status and counts any message seen at a lower rank than before. */
export class Monotonic {
  private readonly seen = new Map<string, number>();
  regressions: string[] = [];
  polls = 0;
  private stopped = false;
  readonly done: Promise<void>;

  constructor(private readonly pool: pg.Pool) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.poll().catch(() => undefined);
      await sleep(300);
    }
  }

  async poll(): Promise<void> {
    const { rows } = await this.pool.query<{ id: string; status: string }>(
      `select id, status from whatsapp_message where direction = 'outbound'`,
    );
    this.polls++;
    for (const { id, status } of rows) {
      const rank = RANK[status] ?? 9;
      const before = this.seen.get(id) ?? 0;
      if (rank < before) this.regressions.push(`${id}: rank ${before} → ${status}`);
      else this.seen.set(id, rank);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/**
 * Where a storm left the messages `where` selects: rows per status, how many there are, read
 * rows missing a timestamp, and the webhook events stored, kept with an error and still parked.
 */
export async function receiptOutcome(pool: pg.Pool, where: string, params: unknown[] = []) {
  const { rows: check } = await pool.query<{ status: string; gaps: string; n: string }>(
    `select status,
            count(*) filter (where sent_at is null or delivered_at is null or read_at is null) as gaps,
            count(*) as n
       from whatsapp_message where ${where} group by 1`,
    params,
  );
  const { rows: hooks } = await pool.query<{ total: string; errors: string; pending: string }>(
    `select count(*) as total, count(*) filter (where error is not null) as errors,
            (select count(*) from pending_receipt) as pending
       from webhook_event`,
  );
  return {
    byStatus: Object.fromEntries(check.map((r) => [r.status, Number(r.n)])),
    rows: check.reduce((sum, r) => sum + Number(r.n), 0),
    gaps: check.reduce((sum, r) => sum + (r.status === 'read' ? Number(r.gaps) : 0), 0),
    hooks: hooks[0]!,
  };
}

export async function webhookStorm(sizes: DrillSizes): Promise<DrillResult> {
  const total = sizes.quick ? sizes.messages : Math.min(sizes.messages, 3_000);
  const tag = `ws${Date.now().toString(36)}`;
  const stack = await startPipeline({
    tag: 'drillstorm',
    advisors: advisorsFor(total),
    workers: 1,
    receipts: true,
    env: { SEND_CONCURRENCY: '20' },
  });
  const pool = stack.database.pool;
  try {
    const faults = {
      duplicateWebhookRate: 1,
      reorderWebhooks: true,
      statusDelaysMs: { serverAck: 5, deliveryAck: 5, read: 5 },
    };
    await setFaults(stack.emulator.url, faults);
    const monitor = new Monotonic(pool);
    const startedAt = Date.now();
    const run = watchedLoad(stack, total, 32, tag);
    await run.done;
    await run.load.close();
    const ids = run.result.posted.map((p) => p.id);
    const until = Date.now() + (sizes.quick ? 120_000 : 300_000);
    let read = 0;
    while (Date.now() < until) {
      const { rows } = await pool.query<{ n: string }>(
        `select count(*) as n from whatsapp_message where id = any($1::uuid[]) and status = 'read'`,
        [ids],
      );
      read = Number(rows[0]!.n);
      if (read === ids.length) break;
      await sleep(500);
    }
    const doneAt = Date.now();
    await monitor.stop();
    await monitor.poll();
    const {
      byStatus,
      rows: found,
      gaps,
      hooks: h,
    } = await receiptOutcome(pool, 'id = any($1::uuid[])', [ids]);
    const stats = (await emulatorStats(stack.emulator.url)) as { webhooks?: Record<string, number> };
    const sent = await checkSent(stack.emulator.url, stack.advisors, tag);
    const notRead = ids.length - read;
    const why: string[] = [];
    if (notRead) why.push(`${notRead} messages not \`read\` (${counts(byStatus)})`);
    if (monitor.regressions.length)
      why.push(
        `${monitor.regressions.length} status regressions seen, e.g. ${monitor.regressions.slice(0, 2).join('; ')}`,
      );
    if (gaps) why.push(`${gaps} read messages missing a sent/delivered/read timestamp`);
    if (run.result.errors.size) why.push(`non-202 answers: ${counts(run.result.errors)}`);
    return {
      drill: 'webhook-storm',
      size: `${fmt(ids.length)} messages by 32 loops, 1 worker`,
      result: `${counts(byStatus)}; all \`read\` ${seconds(doneAt - startedAt)} after the first POST`,
      lost: ids.length - found,
      duplicates: sent.duplicates,
      notes:
        `Emulator faults \`duplicateWebhookRate: 1\`, \`reorderWebhooks: true\` (60 ms shuffle window), receipts ` +
        `5/5/5 ms apart (they race the send response); ${fmt(stats.webhooks?.duplicated ?? 0)} webhooks duplicated. ` +
        `${fmt(Number(h.total))} webhook events stored, ${h.errors} kept with an error, ${h.pending} receipts still parked. ` +
        `Statuses polled ${monitor.polls} times: ${monitor.regressions.length} seen moving back; ` +
        `read rows missing a timestamp: ${gaps}.`,
      pass: why.length === 0,
      why,
    };
  } finally {
    await stack.close();
  }
}
