// computeMetrics gives exactly what a straightforward computation gives: the five statements it
// replaced (one per metric, each reading the range on its own), kept below as the reference, over
// a seeded history with every status, both directions, built-in and custom templates (some
// overridden by several advisors), times with microseconds, longer than a day and negative,
// messages on both sides of UTC midnight and exactly on the range's bounds; for the platform, for
// each advisor and for nobody, over several ranges.
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { computeMetrics, type Metrics, type MetricsRange } from '../../src/domain/metrics/compute-metrics.js';
import { BUILTIN_TEMPLATE_KEYS } from '../../src/domain/templates/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const BASE = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const ADVISORS = ['ref-1', 'ref-2', 'ref-3', 'ref-4', 'ref-5', 'ref-6'];
/** The partial range's bounds: one message sits exactly on each (since is in, until is out). */
const SINCE = new Date(BASE + 2 * DAY + 37_123);
const UNTIL = new Date(BASE + 9 * DAY + 52_789);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seed(database.db);
});
afterAll(async () => {
  await database?.destroy();
});

async function seed(db: Db): Promise<void> {
  await db.execute(sql`
    insert into "user" (id, name, email)
    select id, 'Asesora ' || id, id || '@example.test'
    from unnest(array['ref-1','ref-2','ref-3','ref-4','ref-5','ref-6','ref-empty']) id`);
  await db.execute(sql`
    insert into whatsapp_config (advisor_id, public_slug, status) values
      ('ref-1', 'ref-1', 'connected'), ('ref-2', 'ref-2', 'connected'),
      ('ref-3', 'ref-3', 'disconnected'), ('ref-4', 'ref-4', 'qr_pending'), ('ref-empty', 'ref-empty', 'connected')`);
  // appointment_reminder is overridden by two advisors (one of them in two languages: counted
  // once), follow_up by one; bono is a custom template, not an override.
  await db.execute(sql`
    insert into whatsapp_template (advisor_id, key, name, category, language, body, overrides_built_in) values
      ('ref-1', 'appointment_reminder', 'R', 'reminder', 'es', 'Hola', true),
      ('ref-1', 'appointment_reminder', 'R', 'reminder', 'en', 'Hi', true),
      ('ref-2', 'appointment_reminder', 'R', 'reminder', 'es', 'Hola', true),
      ('ref-2', 'follow_up', 'F', 'follow_up', 'es', 'Hola', true),
      ('ref-3', 'bono', 'B', 'custom', 'es', 'Hola', false)`);
  // 3,000 messages over 12 days, spread by a multiplicative hash so every day and every hour is
  // hit; outbound statuses cycle through all nine, receipt times carry microseconds.
  await db.execute(sql`
    insert into whatsapp_message (advisor_id, direction, phone, status, template_key, created_at,
      sent_at, delivered_at, read_at, replied_at)
    select advisor, direction, '+34600000000', status, template_key, created_at, sent_at, delivered_at,
      case when status = 'read' then delivered_at + ((g * 15485863) % 200000000000) * interval '1 microsecond' end,
      case when direction = 'outbound' and g % 4 = 0
        then sent_at + ((g * 32452843) % 400000000000) * interval '1 microsecond' end
    from (
      select g, advisor, direction, status, template_key, created_at, sent_at,
        case
          when direction = 'inbound' and g % 12 = 0 then created_at + interval '1 second'
          when status not in ('delivered', 'read') then null
          when g % 17 = 0 then sent_at - interval '1.5 seconds'
          when g % 13 = 0 then sent_at + interval '2 days' + ((g * 104729) % 5000000000) * interval '1 microsecond'
          else coalesce(sent_at, created_at) + ((g * 104729) % 5000000000) * interval '1 microsecond'
        end as delivered_at
      from (
        select g, 'ref-' || (1 + g % 5) as advisor, direction, status, created_at,
          case (g / 7) % 5 when 0 then null when 1 then 'appointment_reminder' when 2 then 'follow_up'
            when 3 then 'bono' else 'appointment_confirmation' end as template_key,
          case
            when direction = 'inbound' and g % 12 = 0 then created_at
            when direction = 'inbound' or status in ('queued', 'scheduled', 'sending', 'skipped', 'cancelled') then null
            when g % 23 = 0 then null
            else created_at + ((g * 7919) % 9000000) * interval '1 microsecond'
          end as sent_at
        from (
          select g::bigint as g,
            case when g % 6 = 0 then 'inbound' else 'outbound' end as direction,
            case when g % 6 = 0 then 'received'
              else (array['read','read','delivered','sent','failed','queued','scheduled','sending','skipped','cancelled','read'])[1 + (g * 7) % 11]
            end as status,
            timestamptz '2026-03-01 00:00:00+00' + ((g::bigint * 2654435761) % 1036800000000) * interval '1 microsecond' as created_at
          from generate_series(1, 3000) g
        ) a
      ) b
    ) c`);
  // The replies themselves, for two replied messages in three: each arrived at the replied_at it
  // set (to the millisecond, as created_at keeps it and as the service writes both), and was
  // written up to 15 minutes before it arrived (WhatsApp's date; Evolution's retries), or, for
  // a sixth of them, up to a minute before our record of the send (clocks: a reply time of 0). The
  // third has no reply row: replied_at stands. Within the 12 days, so every day seeded has sends.
  await db.execute(sql`
    with replied as (
      update whatsapp_message set replied_at = replied_at::timestamptz(3)
      where replied_at is not null and extract(microseconds from replied_at)::bigint % 3 <> 0
        and replied_at < timestamptz '2026-03-13 00:00:00+00'
      returning advisor_id, phone, sent_at, replied_at, extract(microseconds from replied_at)::bigint as us
    )
    insert into whatsapp_message (advisor_id, direction, phone, status, created_at, sent_at)
    select advisor_id, 'inbound', phone, 'received', replied_at,
      case when (us / 1000) % 6 = 1 and sent_at is not null then sent_at - (us % 60) * interval '1 second'
        else replied_at - (us % 900) * interval '1 second' end
    from replied`);
  // ref-6: three replied messages whose replies arrived together (several inbound rows at one
  // replied_at), some without a WhatsApp date: the earliest date counts, a missing one never does,
  // and with none at all replied_at stands. Reply times 560, 240 and 120 s.
  await db.execute(sql`
    insert into whatsapp_message (advisor_id, direction, phone, status, created_at, sent_at, replied_at)
    select 'ref-6', direction, '+34611111111', status, t + created_s * interval '1 second',
      t + sent_s * interval '1 second', t + replied_s * interval '1 second'
    from (select timestamptz '2026-03-05 10:00:00.123+00' as t) base,
      (values ('outbound', 'read', 0, 0, 600), ('inbound', 'received', 600, 560, null), ('inbound', 'received', 600, 580, null),
        ('outbound', 'read', 1000, 1000, 1300), ('inbound', 'received', 1300, null, null), ('inbound', 'received', 1300, 1240, null),
        ('outbound', 'read', 2000, 2000, 2120), ('inbound', 'received', 2120, null, null)
      ) v(direction, status, created_s, sent_s, replied_s)`);
  await db.execute(sql`
    insert into whatsapp_message (advisor_id, direction, status, template_key, created_at, sent_at, delivered_at) values
      ('ref-1', 'outbound', 'delivered', 'bono', ${SINCE}, ${SINCE}, ${new Date(SINCE.getTime() + 1500)}),
      ('ref-1', 'outbound', 'failed', 'bono', ${UNTIL}, ${UNTIL}, null)`);
  await db.execute(sql`
    insert into connection_event (advisor_id, status, at)
    select 'ref-' || (1 + g % 4), (array['qr_pending','connecting','connected','disconnected','connected'])[1 + (g / 4 + g / 16) % 5],
      timestamptz '2026-03-01 00:00:00+00' + g * interval '77 minutes'
    from generate_series(1, 200) g`);
  await db.execute(sql`
    insert into cta_click (advisor_id, at)
    select 'ref-' || (1 + g % 3), timestamptz '2026-03-01 00:00:00+00' + g * interval '131 minutes'
    from generate_series(1, 100) g`);
}

const RANGES: Record<string, MetricsRange> = {
  'all 12 days': { since: new Date(BASE - DAY), until: new Date(BASE + 13 * DAY) },
  'bounds on messages': { since: SINCE, until: UNTIL },
  'one UTC day': { since: new Date(BASE + 5 * DAY), until: new Date(BASE + 6 * DAY) },
  'a few hours across midnight': {
    since: new Date(BASE + 3 * DAY - 5 * 3_600_000),
    until: new Date(BASE + 3 * DAY + 4 * 3_600_000),
  },
  'nothing in it': { since: new Date('2020-01-01T00:00:00Z'), until: new Date('2020-02-01T00:00:00Z') },
};
const SCOPES: (string | null)[] = [null, ...ADVISORS, 'ref-empty', 'nobody'];

/** Template usage ties have no order in the reference (`order by count desc` only). */
const byCountThenKey = (a: { count: number; key: string }, b: { count: number; key: string }) =>
  b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const comparable = (m: Metrics) => ({ ...m, templateUsage: [...m.templateUsage].sort(byCountThenKey) });

describe('computeMetrics', () => {
  for (const [name, range] of Object.entries(RANGES)) {
    it(`matches the one-statement-per-metric computation: ${name}`, async () => {
      for (const advisorId of SCOPES) {
        const actual = await computeMetrics(database.db, advisorId, range);
        const expected = await referenceMetrics(database.db, advisorId, range);
        expect(comparable(actual), `scope ${advisorId ?? 'platform'}`).toEqual(comparable(expected));
        expect(actual.templateUsage).toEqual([...actual.templateUsage].sort(byCountThenKey));
      }
    });
  }

  it('is compared on data that exercises every part', async () => {
    const all = await referenceMetrics(database.db, null, RANGES['all 12 days']!);
    expect(all.messagesPerDay.length).toBe(12);
    expect(all.messagesPerDay.every((d) => d.sent > 0 && d.failed > 0 && d.inbound > 0)).toBe(true);
    expect(all.totals.attempted).toBeGreaterThan(all.totals.delivered);
    expect(all.templateUsage.map((t) => t.key).sort()).toEqual([
      'appointment_confirmation',
      'appointment_reminder',
      'bono',
      'follow_up',
    ]);
    expect(all.templateUsage.find((t) => t.key === 'appointment_reminder')?.customized).toBe(2);
    expect(all.templateUsage.find((t) => t.key === 'follow_up')?.customized).toBe(1);
    for (const times of Object.values(all.responseTime)) {
      expect(times.median).not.toBeNull();
      expect(times.p90!).toBeGreaterThan(times.median!);
    }
    expect(all.responseTime.outboundToReply.p90!).toBeGreaterThan(43_200); // replies after hours
    // Replies found by their arrival: some written before our record of the send, some after a day.
    const [replies] = rowsOf(
      await database.db.execute(sql`
        select count(*) as found, count(*) filter (where i.sent_at < m.sent_at) as before_send,
          count(*) filter (where i.sent_at > m.sent_at + interval '1 day') as after_a_day
        from whatsapp_message m
        join whatsapp_message i on i.direction = 'inbound' and i.advisor_id = m.advisor_id
          and i.phone = m.phone and i.created_at = m.replied_at`),
    );
    expect(Number(replies!.found)).toBeGreaterThan(100);
    expect(Number(replies!.before_send)).toBeGreaterThan(5);
    expect(Number(replies!.after_a_day)).toBeGreaterThan(5);
    const ref6 = await referenceMetrics(database.db, 'ref-6', RANGES['all 12 days']!);
    expect(ref6.responseTime.outboundToReply).toEqual({ median: 240, p90: 496 });
    expect(all.connectionRate).not.toBeNull();
    expect(all.ctaClicks).toBeGreaterThan(0);
    // The messages on the bounds: since is in, until is out.
    const bounded = await referenceMetrics(database.db, 'ref-1', RANGES['bounds on messages']!);
    const justInside = await referenceMetrics(database.db, 'ref-1', {
      since: new Date(SINCE.getTime() + 1),
      until: new Date(UNTIL.getTime() + 1),
    });
    expect(bounded.totals.delivered - justInside.totals.delivered).toBeGreaterThanOrEqual(1);
    expect(justInside.totals.failed - bounded.totals.failed).toBeGreaterThanOrEqual(1);
  });
});

// ---- The reference: the computation computeMetrics replaced, statement for statement. ----

type Row = Record<string, unknown>;
const rowsOf = (result: unknown): Row[] =>
  Array.isArray(result) ? (result as Row[]) : ((result as { rows?: Row[] }).rows ?? []);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const seconds = (v: unknown): number | null =>
  v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10;

async function referenceMetrics(db: Db, advisorId: string | null, range: MetricsRange): Promise<Metrics> {
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
        percentile_cont(0.5) within group (order by extract(epoch from reply_at - sent_at)) filter (where replied_at is not null and sent_at is not null) as reply_p50,
        percentile_cont(0.9) within group (order by extract(epoch from reply_at - sent_at)) filter (where replied_at is not null and sent_at is not null) as reply_p90
      from (
        -- When the client wrote the reply (the inbound message that arrived at replied_at), not
        -- after it arrived nor before our send.
        select m.*, greatest(least((select min(i.sent_at) from whatsapp_message i
            where i.advisor_id = m.advisor_id and i.phone = m.phone and i.direction = 'inbound'
              and i.created_at = m.replied_at), m.replied_at), m.sent_at) as reply_at
        from whatsapp_message m
      ) m
      where direction = 'outbound' and ${scope('advisor_id')} and ${inRange('created_at')}`),
  );
  // Walk each advisor's events in order from the range's start: a QR in the range opens an
  // attempt, the first "connected" closes it as a success (also past the range's end), a QR after
  // the end closes it as a failure, a reconnect with no QR before it counts for nothing.
  const events = rowsOf(
    await db.execute(sql`
      select advisor_id, status, at < ${range.until} as in_range from connection_event
      where ${scope('advisor_id')} and at >= ${range.since} order by advisor_id, at`),
  ) as { advisor_id: string; status: string; in_range: boolean }[];
  const connection = { attempts: 0, connected: 0 };
  const open = new Set<string>();
  for (const e of events) {
    if (e.status === 'qr_pending') {
      if (e.in_range) {
        connection.attempts++;
        open.add(e.advisor_id);
      } else open.delete(e.advisor_id);
    } else if (e.status === 'connected' && open.delete(e.advisor_id)) connection.connected++;
  }
  const templates = rowsOf(
    await db.execute(sql`
      select m.template_key as key, count(*) as count,
        (select count(distinct t.advisor_id) from whatsapp_template t
          where t.key = m.template_key and t.overrides_built_in and ${scope('t.advisor_id')}) as customized
      from whatsapp_message m
      where m.template_key is not null and m.direction = 'outbound'
        and m.status not in ('scheduled','failed','skipped','cancelled') and ${scope('m.advisor_id')} and ${inRange('m.created_at')}
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
