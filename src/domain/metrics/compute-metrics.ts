// The product's five metrics (connection rate, delivery rate, template usage, response time,
// feature adoption) plus the dashboard's daily series, computed in SQL over a time range, for
// one advisor or (scope null, admin only) the whole platform. Definitions are in API.md.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { BUILTIN_TEMPLATE_KEYS } from '../templates/index.js';

export interface MetricsRange {
  since: Date;
  until: Date;
}

type Row = Record<string, unknown>;
const rowsOf = (result: unknown): Row[] =>
  Array.isArray(result) ? (result as Row[]) : ((result as { rows?: Row[] }).rows ?? []);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const seconds = (v: unknown): number | null =>
  v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10;

export async function computeMetrics(db: Db, advisorId: string | null, range: MetricsRange) {
  const scope = (column: string): SQL => (advisorId ? sql`${sql.raw(column)} = ${advisorId}` : sql`true`);
  const inRange = (column: string): SQL =>
    sql`${sql.raw(column)} >= ${range.since} and ${sql.raw(column)} < ${range.until}`;

  const [delivery] = rowsOf(
    await db.execute(sql`
      select
        count(*) filter (where status in ('sent','delivered','read','failed')) as attempted,
        count(*) filter (where status in ('delivered','read')) as delivered,
        count(*) filter (where status = 'read') as read,
        count(*) filter (where status = 'failed') as failed,
        percentile_cont(0.5) within group (order by extract(epoch from delivered_at - sent_at)) filter (where delivered_at is not null and sent_at is not null) as delivery_p50,
        percentile_cont(0.9) within group (order by extract(epoch from delivered_at - sent_at)) filter (where delivered_at is not null and sent_at is not null) as delivery_p90,
        percentile_cont(0.5) within group (order by extract(epoch from read_at - delivered_at)) filter (where read_at is not null and delivered_at is not null) as read_p50,
        percentile_cont(0.9) within group (order by extract(epoch from read_at - delivered_at)) filter (where read_at is not null and delivered_at is not null) as read_p90,
        percentile_cont(0.5) within group (order by extract(epoch from replied_at - sent_at)) filter (where replied_at is not null and sent_at is not null) as reply_p50,
        percentile_cont(0.9) within group (order by extract(epoch from replied_at - sent_at)) filter (where replied_at is not null and sent_at is not null) as reply_p90
      from whatsapp_message
      where direction = 'outbound' and ${scope('advisor_id')} and ${inRange('created_at')}`),
  );

  const [connection] = rowsOf(
    await db.execute(sql`
      select count(*) filter (where status = 'qr_pending') as attempts,
             count(*) filter (where status = 'connected') as connected
      from connection_event where ${scope('advisor_id')} and ${inRange('at')}`),
  );

  const templates = rowsOf(
    await db.execute(sql`
      select m.template_key as key, count(*) as count,
        (select count(distinct t.advisor_id) from whatsapp_template t
          where t.key = m.template_key and t.overrides_built_in and ${scope('t.advisor_id')}) as customized
      from whatsapp_message m
      where m.template_key is not null and m.direction = 'outbound'
        and m.status not in ('failed','skipped','cancelled') and ${scope('m.advisor_id')} and ${inRange('m.created_at')}
      group by m.template_key order by count(*) desc`),
  );
  const builtIn = new Set<string>(BUILTIN_TEMPLATE_KEYS);

  const perDay = rowsOf(
    await db.execute(sql`
      select to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
        count(*) filter (where direction = 'outbound' and status in ('sent','delivered','read')) as sent,
        count(*) filter (where direction = 'outbound' and status in ('delivered','read')) as delivered,
        count(*) filter (where direction = 'outbound' and status = 'read') as read,
        count(*) filter (where direction = 'outbound' and status = 'failed') as failed,
        count(*) filter (where direction = 'inbound') as inbound
      from whatsapp_message where ${scope('advisor_id')} and ${inRange('created_at')}
      group by 1 order by 1`),
  );

  const [adoption] = rowsOf(
    await db.execute(sql`
      select count(*) filter (where c.status = 'connected') as connected,
             (select count(*) from "user" u where ${scope('u.id')}) as advisors,
             (select count(*) from cta_click k where ${scope('k.advisor_id')} and ${inRange('k.at')}) as cta_clicks
      from whatsapp_config c where ${scope('c.advisor_id')}`),
  );

  const attempted = num(delivery?.attempted);
  return {
    range,
    connectionRate: ratio(num(connection?.connected), num(connection?.attempts)),
    deliveryRate: ratio(num(delivery?.delivered), attempted),
    readRate: ratio(num(delivery?.read), attempted),
    failureRate: ratio(num(delivery?.failed), attempted),
    totals: {
      attempted,
      delivered: num(delivery?.delivered),
      read: num(delivery?.read),
      failed: num(delivery?.failed),
    },
    templateUsage: templates.map((t) => ({
      key: String(t.key),
      count: num(t.count),
      builtIn: builtIn.has(String(t.key)),
      customized: num(t.customized),
    })),
    responseTime: {
      sentToDelivered: { median: seconds(delivery?.delivery_p50), p90: seconds(delivery?.delivery_p90) },
      deliveredToRead: { median: seconds(delivery?.read_p50), p90: seconds(delivery?.read_p90) },
      outboundToReply: { median: seconds(delivery?.reply_p50), p90: seconds(delivery?.reply_p90) },
    },
    featureAdoption: {
      connectedAdvisors: num(adoption?.connected),
      advisors: num(adoption?.advisors),
      rate: ratio(num(adoption?.connected), num(adoption?.advisors)),
    },
    ctaClicks: num(adoption?.cta_clicks),
    messagesPerDay: perDay.map((d) => ({
      day: String(d.day),
      sent: num(d.sent),
      delivered: num(d.delivered),
      read: num(d.read),
      failed: num(d.failed),
      inbound: num(d.inbound),
    })),
  };
}

export type Metrics = Awaited<ReturnType<typeof computeMetrics>>;
