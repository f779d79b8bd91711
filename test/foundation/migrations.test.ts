import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingMigrations, runMigrations } from '../../src/db/migrate.js';
import {
  applyReceipt,
  claimForSending,
  insertMessage,
  listUnfinished,
  markSent,
} from '../../src/db/repositories/message.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);

describe(`migrations (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('creates every table of the data model', async () => {
    const rows = rowsOf<{ table_name: string }>(
      await database.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public'`,
      ),
    );
    const names = rows.map((r) => r.table_name);
    for (const t of [
      'whatsapp_config',
      'whatsapp_message',
      'whatsapp_template',
      'audit_log',
      'appointment',
      'whatsapp_client',
      'user',
      'session',
      'account',
      'verification',
      'apikey',
    ]) {
      expect(names).toContain(t);
    }
  });

  it('has nothing pending and is idempotent when run again', async () => {
    expect(await pendingMigrations(database)).toEqual([]);
    await runMigrations(database);
    expect(await pendingMigrations(database)).toEqual([]);
  });

  it('enforces one idempotency key per advisor', async () => {
    await database.db.execute(
      sql`insert into "user" (id, name, email) values ('u1', 'A', 'a@example.test'), ('u2', 'B', 'b@example.test')`,
    );
    const insert = (advisor: string) =>
      database.db.execute(
        sql`insert into whatsapp_message (advisor_id, direction, status, idempotency_key) values (${advisor}, 'outbound', 'queued', 'k1')`,
      );
    await insert('u1');
    await insert('u2');
    await expect(insert('u1')).rejects.toThrow();
  });

  it('0005 scrubs the instance token from webhook events stored before the receiver dropped it', async () => {
    await database.db.execute(sql`insert into "user" (id, name, email) values ('u3', 'C', 'c@example.test')`);
    const stored = (payload: unknown) =>
      database.db.execute(
        sql`insert into webhook_event (advisor_id, event, payload) values ('u3', 'messages.update', ${JSON.stringify(payload)}::jsonb)`,
      );
    await stored({ event: 'messages.update', instance: 'ww-c', apikey: 'TOKEN-IN-CLEAR', data: { a: 1 } });
    await stored({ event: 'messages.update', instance: 'ww-c', data: { apikey: 'not the envelope' } });
    await stored(['not', 'an', 'object']);
    // The migration's own SQL, run again on rows written after it was applied.
    const file = readFileSync(
      new URL('../../drizzle/0005_scrub_webhook_apikey.sql', import.meta.url),
      'utf8',
    );
    await database.db.execute(sql.raw(file));
    const payloads = rowsOf<{ payload: unknown }>(
      await database.db.execute(sql`select payload from webhook_event where advisor_id = 'u3' order by id`),
    ).map((r) => r.payload);
    expect(payloads).toEqual([
      { event: 'messages.update', instance: 'ww-c', data: { a: 1 } },
      { event: 'messages.update', instance: 'ww-c', data: { apikey: 'not the envelope' } },
      ['not', 'an', 'object'],
    ]);
  });

  it("0006 indexes opted-out clients only, for the claim's opt-out probe", async () => {
    const [index] = rowsOf<{ indexdef: string }>(
      await database.db.execute(
        sql`select indexdef from pg_indexes where tablename = 'whatsapp_client' and indexname = 'whatsapp_client_opted_out_idx'`,
      ),
    );
    // Partial: a probe stays as small as the number of opt-outs, whatever the table's size or
    // statistics (see docs/BENCHMARKS.md, "Dawn session").
    expect(index?.indexdef).toMatch(/\(advisor_id, phone\) WHERE opted_out$/);
  });

  it('0008 starts the warm-up of numbers linked before it at their link time', async () => {
    await database.db.execute(
      sql`insert into "user" (id, name, email) values ('u4', 'D', 'd@example.test'), ('u5', 'E', 'e@example.test')`,
    );
    await database.db
      .execute(sql`insert into whatsapp_config (advisor_id, public_slug, status, phone_number, connected_at)
      values ('u4', 'd', 'connected', '+34612000001', '2026-10-01T10:00:00Z'), ('u5', 'e', 'not_configured', null, null)`);
    // The migration's data statement (the last), run again on rows written after it was applied.
    const file = readFileSync(new URL('../../drizzle/0008_number_warmup.sql', import.meta.url), 'utf8');
    await database.db.execute(sql.raw(file.split('--> statement-breakpoint').at(-1)!));
    const rows = rowsOf<{ advisor_id: string; warmup_phone: string | null; warmup_since: unknown }>(
      await database.db.execute(
        sql`select advisor_id, warmup_phone, warmup_since from whatsapp_config where advisor_id in ('u4', 'u5') order by advisor_id`,
      ),
    );
    expect(
      rows.map((r) => [
        r.advisor_id,
        r.warmup_phone,
        r.warmup_since && new Date(r.warmup_since as string).toISOString(),
      ]),
    ).toEqual([
      ['u4', '+34612000001', '2026-10-01T10:00:00.000Z'],
      ['u5', null, null],
    ]);
  });

  it("0016 moves a Portuguese-locale advisor's overrides of Spanish built-ins to Portuguese, and nothing else", async () => {
    await database.db.execute(sql`insert into "user" (id, name, email) values
      ('u7', 'G', 'g@example.test'), ('u8', 'H', 'h@example.test'),
      ('u9', 'I', 'i@example.test'), ('u10', 'J', 'j@example.test')`);
    await database.db.execute(sql`insert into whatsapp_config (advisor_id, public_slug, settings) values
      ('u7', 'g', '{"locale": "pt-BR"}'), ('u8', 'h', '{"locale": "es-ES"}'),
      ('u9', 'i', '{"locale": "pt"}'), ('u10', 'j', '{}')`);
    const template = (advisor: string, key: string, language: string, overrides: boolean) =>
      database.db
        .execute(sql`insert into whatsapp_template (advisor_id, key, name, category, language, body, overrides_built_in)
        values (${advisor}, ${key}, 'n', 'reminder', ${language}, ${`${advisor} ${key} ${language}`}, ${overrides})`);
    await template('u7', 'appointment_reminder', 'es', true);
    await template('u7', 'follow_up', 'en', true);
    await template('u7', 'bono', 'es', false);
    await template('u8', 'appointment_reminder', 'es', true);
    await template('u9', 'appointment_confirmation', 'es', true);
    // Already has its own Portuguese version: the Spanish one stays where it is.
    await template('u9', 'appointment_reminder', 'es', true);
    await template('u9', 'appointment_reminder', 'pt', true);
    await template('u10', 'appointment_reminder', 'es', true);
    // The migration's own SQL, run again on rows written after it was applied.
    const file = readFileSync(
      new URL('../../drizzle/0016_pt_builtin_overrides.sql', import.meta.url),
      'utf8',
    );
    await database.db.execute(sql.raw(file));
    const rows = rowsOf<{ body: string; language: string }>(
      await database.db.execute(
        sql`select body, language from whatsapp_template where advisor_id in ('u7', 'u8', 'u9', 'u10') order by body`,
      ),
    );
    expect(rows.map((r) => `${r.body} → ${r.language}`)).toEqual([
      'u10 appointment_reminder es → es',
      'u7 appointment_reminder es → pt',
      'u7 bono es → es',
      'u7 follow_up en → en',
      'u8 appointment_reminder es → es',
      'u9 appointment_confirmation es → pt',
      'u9 appointment_reminder es → es',
      'u9 appointment_reminder pt → pt',
    ]);
  });

  it('0023 leaves the reminders of appointments booked before it answerable: their time is of version 1', async () => {
    const [column] = rowsOf<{ column_default: string; is_nullable: string }>(
      await database.db.execute(
        sql`select column_default, is_nullable from information_schema.columns where table_name = 'appointment' and column_name = 'time_version'`,
      ),
    );
    // A constant default: PostgreSQL gives it to the existing rows without rewriting the table,
    // and an answer counts for a reminder of any version from 1 on (recordClientResponse).
    expect(column).toEqual({ column_default: '1', is_nullable: 'NO' });
  });

  it('0009 keeps claims and receipts HOT: the outbox index names `unfinished`, not `status`', async () => {
    await database.db.execute(sql`insert into "user" (id, name, email) values ('u6', 'F', 'f@example.test')`);
    const queued = () =>
      insertMessage(database.db, 'u6', { direction: 'outbound', phone: '+34612000002', status: 'queued' });
    const [open, done] = [await queued(), await queued()];
    // The service's own writers, in one transaction so that PostgreSQL's per-transaction counter
    // of HOT updates can be read before it is flushed to the shared statistics.
    const hot = await database.db.transaction(async (tx) => {
      const times = { now: new Date(), reclaimBefore: new Date(0) };
      expect(await claimForSending(tx, 'u6', done.id, times)).toMatchObject({ status: 'sending' });
      await markSent(tx, 'u6', done.id, { evolutionMessageId: 'EVO-0009', chatJid: null, at: new Date() });
      expect(await applyReceipt(tx, 'u6', 'EVO-0009', 'delivered', new Date())).toMatchObject({
        status: 'delivered',
      });
      expect(await applyReceipt(tx, 'u6', 'EVO-0009', 'read', new Date())).toMatchObject({ status: 'read' });
      const [counts] = rowsOf<{ updated: number; hot: number }>(
        await tx.execute(sql`select pg_stat_get_xact_tuples_updated('whatsapp_message'::regclass)::int as updated,
          pg_stat_get_xact_tuples_hot_updated('whatsapp_message'::regclass)::int as hot`),
      );
      return counts!;
    });
    // The claim and both receipts change no indexed value; marking sent sets the Evolution id,
    // which is indexed, so it cannot be HOT.
    expect(hot).toEqual({ updated: 4, hot: 3 });
    // The sweeper still finds the row that is left to send, and not the one that was sent.
    const unfinished = await listUnfinished(database.db, {
      untouchedBefore: new Date(Date.now() + 60_000),
      afterId: null,
      limit: 100,
    });
    expect(unfinished.filter((r) => r.advisorId === 'u6').map((r) => r.id)).toEqual([open.id]);
  });
});
