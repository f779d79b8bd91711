// The product's five metrics (connection rate, delivery rate, template usage, response time,
// feature adoption) plus the dashboard's daily series, computed in SQL over a time range, for
// one advisor or (scope null, admin only) the whole platform. Definitions are in API.md.
//
// Messages are read by two statements, sent at once (on PostgreSQL they run side by side on two
// pooled connections; PGlite queues them): one pass that counts the range's messages by day,
// template, direction and status, from which the daily series, the totals and the template usage
// are summed; and one for the percentiles, which need every delivery, read and reply time sorted
// (percentile_cont cannot be summed from partial results). Each statement reads the range once.
// Timings and why (no rollup table, no covering index): docs/BENCHMARKS.md, "Metrics over a
// million messages".
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../../db/client.js';
import { BUILTIN_TEMPLATE_KEYS } from '../templates/index.js';

export interface MetricsRange {
  since: Date;
  until: Date;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const seconds = (v: unknown): number | null =>
  v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10;

/**
 * `timeZone`: whose days `messagesPerDay` counts (an advisor's own, from their settings); the
 * platform-wide admin view counts UTC days.
 */
export async function computeMetrics(
  db: Db,
  advisorId: string | null,
  range: MetricsRange,
  timeZone = 'UTC',
) {
  const scope = (column: string): SQL => (advisorId ? sql`${sql.raw(column)} = ${advisorId}` : sql`true`);
  const inRange = (column: string): SQL =>
    sql`${sql.raw(column)} >= ${range.since} and ${sql.raw(column)} < ${range.until}`;

  // Template usage counts what a template's own usageCount counts (template-usage.ts): messages
  // queued or further on. A reminder still scheduled for next month has not used it yet, and may
  // never (cancelled, skipped): it used to be counted on the day it was planned.
  // `g` has one row per day, template, direction and status found (372 for the benchmark's 30
  // days of a million messages), so the two sums over it cost nothing next to the pass that
  // builds it. Its day expression is the one migration 0003 keeps statistics on: without them the
  // planner expects a group per message and sorts the range instead of hashing it in parallel.
  // UTC is written as a literal so that it stays the expression migration 0003 has statistics on.
  // Group chats (kept with WEBHOOK_GROUPS=store) are no client's conversation: their members'
  // messages are not "received" from clients, and the advisor's posts there (which get no
  // receipt) are no send whose delivery, read or reply the metrics measure.
  const notGroup = sql`purpose is distinct from 'group'`;
  const zone = timeZone === 'UTC' ? sql.raw(`'UTC'`) : sql`${timeZone}`;
  const counts = db.execute(sql`
    with g as materialized (
      select date_trunc('day', created_at at time zone ${zone}) as day, template_key, direction, status,
        count(*) as n
      from whatsapp_message
      where ${scope('advisor_id')} and ${inRange('created_at')} and ${notGroup}
      group by 1, 2, 3, 4
    )
    select 'day' as kind, to_char(day, 'YYYY-MM-DD') as key,
      sum(n) filter (where direction = 'outbound' and status in ('sent','delivered','read')) as sent,
      sum(n) filter (where direction = 'outbound' and status in ('delivered','read')) as delivered,
      sum(n) filter (where direction = 'outbound' and status = 'read') as read,
      sum(n) filter (where direction = 'outbound' and status = 'failed') as failed,
      sum(n) filter (where direction = 'inbound') as inbound,
      null as count, null as customized
    from g group by day
    union all
    select 'template', template_key, null, null, null, null, null, sum(n),
      (select count(distinct t.advisor_id) from whatsapp_template t
        where t.key = g.template_key and t.overrides_built_in and ${scope('t.advisor_id')})
    from g
    where template_key is not null and direction = 'outbound'
      and status not in ('scheduled','failed','skipped','cancelled')
    group by template_key`);

  // percentile_cont skips nulls: a message not yet delivered (read, replied) has no such time.
  // A reply's time is when the client wrote it: the reply's sent_at (WhatsApp's date, never after
  // it reached us), not replied_at (its arrival, which Evolution's retries after an outage of ours
  // push back by minutes), and never before our send (WhatsApp's clock and ours differ by a few
  // seconds). The reply is the inbound message that arrived at replied_at (listAgendaMessages
  // finds it the same way, by index); without one, replied_at stands. Only replied messages look:
  // the lookup is a subquery under the case, run for those rows alone (a lateral join ran a probe
  // node for every message of the range). `offset 0` keeps the inner select whole, so that the
  // two reply percentiles read one reply_at instead of each running the lookup.
  // (greatest and least skip nulls, hence the case: a message with no reply has no reply time.)
  const percentilesQuery = sql`
    select
      percentile_cont(0.5) within group (order by extract(epoch from delivered_at - sent_at)) as delivery_p50,
      percentile_cont(0.9) within group (order by extract(epoch from delivered_at - sent_at)) as delivery_p90,
      percentile_cont(0.5) within group (order by extract(epoch from read_at - delivered_at)) as read_p50,
      percentile_cont(0.9) within group (order by extract(epoch from read_at - delivered_at)) as read_p90,
      percentile_cont(0.5) within group (order by extract(epoch from reply_at - sent_at)) as reply_p50,
      percentile_cont(0.9) within group (order by extract(epoch from reply_at - sent_at)) as reply_p90
    from (
      select m.sent_at, m.delivered_at, m.read_at,
        case when m.replied_at is not null then greatest(least((
          select min(i.sent_at) from whatsapp_message i
          where i.advisor_id = m.advisor_id and i.phone = m.phone and i.created_at = m.replied_at
            and i.direction = 'inbound'
        ), m.replied_at), m.sent_at) end as reply_at
      from whatsapp_message m
      where m.direction = 'outbound' and ${scope('m.advisor_id')} and ${inRange('m.created_at')}
        and m.purpose is distinct from 'group'
      offset 0
    ) m`;
  // The platform view runs it without JIT: the planner prices the lookup for every message of the
  // range, not only the replied ones, and past jit_above_cost (PostgreSQL's default, 100,000) it
  // compiled the statement with inlining and optimization, about half a second on each call, about
  // as long as the statement runs (docs/BENCHMARKS.md). `set local` lasts the transaction: this
  // statement. One advisor's range is priced far below that (some 7,000 sends in the range would
  // reach it, five times as many the costly inlining and optimization), and there the
  // transaction's three more round trips cost more than they would save.
  const percentiles = advisorId
    ? db.execute(percentilesQuery)
    : db.transaction(async (tx) => {
        await tx.execute(sql`set local jit = off`);
        return tx.execute(percentilesQuery);
      });

  // An attempt is a QR shown (qr_pending); it succeeded when the advisor's next "connected" came
  // before their next attempt. Counting every "connected" instead put silent reconnects (no QR)
  // in the numerator, and the rate went above 1. Only the attempt has to fall in the range: one
  // made just before `until` and scanned just after it connected all the same (it used to count
  // as failed), so its "connected" and the next attempt are looked for past the range's end too.
  const connection = db.execute(sql`
    with attempt as (
      select advisor_id, at, lead(at) over (partition by advisor_id order by at) as next_at
      from connection_event
      where status = 'qr_pending' and ${scope('advisor_id')} and at >= ${range.since}
    )
    select count(*) as attempts,
           count(*) filter (where exists (
             select 1 from connection_event c
             where c.advisor_id = attempt.advisor_id and c.status = 'connected' and c.at > attempt.at
               and (attempt.next_at is null or c.at < attempt.next_at)
           )) as connected
    from attempt
    where attempt.at < ${range.until}`);

  const adoption = db.execute(sql`
    select count(*) filter (where c.status = 'connected') as connected,
           (select count(*) from "user" u where ${scope('u.id')}) as advisors,
           (select count(*) from cta_click k where ${scope('k.advisor_id')} and ${inRange('k.at')}) as cta_clicks
    from whatsapp_config c where ${scope('c.advisor_id')}`);

  const [countRows, [times], [connect], [adopt]] = (
    await Promise.all([counts, percentiles, connection, adoption])
  ).map((result) => rowsOf(result)) as [Row[], Row[], Row[], Row[]];

  const messagesPerDay = countRows
    .filter((r) => r.kind === 'day')
    .map((d) => ({
      day: String(d.key),
      sent: num(d.sent),
      delivered: num(d.delivered),
      read: num(d.read),
      failed: num(d.failed),
      inbound: num(d.inbound),
    }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  // Every outbound message counted in `totals` is counted on exactly one day.
  const totals = { attempted: 0, delivered: 0, read: 0, failed: 0 };
  for (const d of messagesPerDay) {
    totals.attempted += d.sent + d.failed;
    totals.delivered += d.delivered;
    totals.read += d.read;
    totals.failed += d.failed;
  }
  const builtIn = new Set<string>(BUILTIN_TEMPLATE_KEYS);
  const templateUsage = countRows
    .filter((r) => r.kind === 'template')
    .map((t) => ({
      key: String(t.key),
      count: num(t.count),
      builtIn: builtIn.has(String(t.key)),
      customized: num(t.customized),
    }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  return {
    range,
    connectionRate: ratio(num(connect?.connected), num(connect?.attempts)),
    deliveryRate: ratio(totals.delivered, totals.attempted),
    readRate: ratio(totals.read, totals.attempted),
    failureRate: ratio(totals.failed, totals.attempted),
    totals,
    templateUsage,
    responseTime: {
      sentToDelivered: { median: seconds(times?.delivery_p50), p90: seconds(times?.delivery_p90) },
      deliveredToRead: { median: seconds(times?.read_p50), p90: seconds(times?.read_p90) },
      outboundToReply: { median: seconds(times?.reply_p50), p90: seconds(times?.reply_p90) },
    },
    featureAdoption: {
      connectedAdvisors: num(adopt?.connected),
      advisors: num(adopt?.advisors),
      rate: ratio(num(adopt?.connected), num(adopt?.advisors)),
    },
    ctaClicks: num(adopt?.cta_clicks),
    messagesPerDay,
  };
}

export type Metrics = Awaited<ReturnType<typeof computeMetrics>>;
