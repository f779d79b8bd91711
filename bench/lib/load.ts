// Load generators for POST /api/whatsapp/send: closed loop (N loops, each keeping one request in
// flight) and open loop (a fixed arrival rate, whatever the answers do). Each posted message is
// remembered with the time its request started, for latency figures.
import { Pool } from 'undici';
import type pg from 'pg';

import type { BenchAdvisor } from './stack.js';
import { sleep } from './stack.js';

export interface Posted {
  id: string;
  advisor: number;
  /** Date.now() when the POST started (same machine as the service: one clock). */
  startedAt: number;
  ackedAt: number;
}

export interface LoadResult {
  posted: Posted[];
  /** Non-202 answers by status (0 = network error). */
  errors: Map<number, number>;
  firstAt: number;
  lastAckAt: number;
}

/** How the load authenticates: the dashboard's session cookie, or an API key (other modules). */
export type LoadAuth = 'session' | 'apikey';

export class SendLoad {
  private readonly pool: Pool;
  private sequence = 0;

  constructor(
    apiUrl: string,
    private readonly advisors: BenchAdvisor[],
    connections = 64,
    private readonly auth: LoadAuth = 'session',
  ) {
    this.pool = new Pool(apiUrl, { connections, pipelining: 1 });
  }

  /** One POST; the text is unique so the emulator's sent list can be checked per message. */
  async post(advisor: number, result: LoadResult, tag = 'm'): Promise<void> {
    const n = this.sequence++;
    const startedAt = Date.now();
    try {
      const res = await this.pool.request({
        path: '/api/whatsapp/send',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.auth === 'apikey'
            ? { 'x-api-key': this.advisors[advisor]!.apiKey }
            : { cookie: this.advisors[advisor]!.cookie }),
        },
        body: JSON.stringify({
          to: `+3461${String(1_000_000 + (n % 2_000)).padStart(7, '0')}`,
          text: `${tag}-${n} Hola, te recuerdo tu cita de mañana.`,
        }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 202) {
        result.errors.set(res.statusCode, (result.errors.get(res.statusCode) ?? 0) + 1);
        return;
      }
      const ackedAt = Date.now();
      result.posted.push({
        id: (JSON.parse(text) as { message: { id: string } }).message.id,
        advisor,
        startedAt,
        ackedAt,
      });
      result.lastAckAt = Math.max(result.lastAckAt, ackedAt);
    } catch {
      result.errors.set(0, (result.errors.get(0) ?? 0) + 1);
    }
  }

  static emptyResult(): LoadResult {
    return { posted: [], errors: new Map(), firstAt: Date.now(), lastAckAt: 0 };
  }

  /** `total` messages from `concurrency` loops, advisors taken round-robin (or from `pick`). */
  async closedLoop(
    total: number,
    concurrency: number,
    pick: (n: number) => number = (n) => n % this.advisors.length,
    tag = 'm',
  ): Promise<LoadResult> {
    const result = SendLoad.emptyResult();
    let issued = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (issued < total) {
          const n = issued++;
          await this.post(pick(n), result, tag);
        }
      }),
    );
    return result;
  }

  /** Open loop: one POST every 1000/rate ms for `seconds`, not waiting for answers. */
  async openLoop(
    rate: number,
    seconds: number,
    tag = 'r',
    pick: (n: number) => number = (n) => n % this.advisors.length,
  ): Promise<LoadResult> {
    const result = SendLoad.emptyResult();
    const total = Math.round(rate * seconds);
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(this.post(pick(i), result, tag));
    }
    await Promise.all(inFlight);
    return result;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Waits until `expected` outbound messages are final; returns the time the last one was recorded. */
export async function waitFinal(
  pool: pg.Pool,
  expected: number,
  timeoutMs = 600_000,
): Promise<{ final: number; failed: number; lastFinalAt: number }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ final: string; failed: string; last: string | null }>(
      `select count(*) filter (where status in ('sent','delivered','read','failed','skipped')) as final,
              count(*) filter (where status in ('failed','skipped')) as failed,
              (extract(epoch from max(coalesce(sent_at, failed_at, updated_at))) * 1000)::bigint as last
         from whatsapp_message where direction = 'outbound'`,
    );
    const final = Number(rows[0]!.final);
    if (final >= expected)
      return { final, failed: Number(rows[0]!.failed), lastFinalAt: Number(rows[0]!.last) };
    if (Date.now() > until) throw new Error(`only ${final} of ${expected} messages final`);
    await sleep(100);
  }
}

/** sent_at (the worker's clock) per message id, ms since the epoch. */
export async function sentTimes(
  pool: pg.Pool,
  ids: string[],
): Promise<Map<string, { createdAt: number; sentAt: number | null }>> {
  const { rows } = await pool.query<{ id: string; created: string; sent: string | null }>(
    `select id, (extract(epoch from created_at) * 1000) as created, (extract(epoch from sent_at) * 1000) as sent
       from whatsapp_message where id = any($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { createdAt: Number(r.created), sentAt: r.sent === null ? null : Number(r.sent) },
    ]),
  );
}
