// The outbox write of one outbound message: its media (when uploaded), the message row, its audit
// entry and the client's last-contact time, in ONE statement (data-modifying CTEs are atomic like
// a transaction). A BEGIN … COMMIT of four statements cost five round trips to the database per
// send; this costs one. Ids are drawn here so the audit entry can name the message without a
// read-back. A send without an upload (nearly all of them) runs a named statement built once
// (building it with Drizzle on every request was a tenth of the API's CPU), over arrays, shared by
// the sends that arrive while earlier ones are being written (coalesce.ts).
import { randomUUID } from 'node:crypto';
import { getTableColumns, is, sql } from 'drizzle-orm';
import type { WithSubquery } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client.js';
import { sharedStatement } from '../coalesce.js';
import { preparedOnce } from '../prepared.js';
import { auditLog, whatsappClient, whatsappMedia, whatsappMessage } from '../schema/index.js';
import type { AuditEntry } from './audit.repository.js';
import type { MessageRow, NewMessage } from './message.repository.js';

export interface OutboundWrite {
  media: { mimetype: string; fileName: string | null; bytes: Buffer } | null;
  message: Omit<NewMessage, 'id' | 'mediaId'>;
  audit: Omit<AuditEntry, 'messageId' | 'phone'>;
  /** `nameGiven`: the advisor or the booking named the client (whatsapp_client.name_given). */
  client: { phone: string; name: string | null; nameGiven: boolean; at: Date };
}

/** The message columns the shared statement sets, with their PostgreSQL types; any other goes the built way. */
const MESSAGE_INPUT = [
  ['direction', 'text'],
  ['phone', 'text'],
  ['clientName', 'text'],
  ['type', 'text'],
  ['text', 'text'],
  ['caption', 'text'],
  ['mediaUrl', 'text'],
  ['mimetype', 'text'],
  ['fileName', 'text'],
  ['templateId', 'uuid'],
  ['templateKey', 'text'],
  ['templateLanguage', 'text'],
  ['appointmentId', 'uuid'],
  ['purpose', 'text'],
  ['status', 'text'],
  ['source', 'text'],
  ['idempotencyKey', 'text'],
  ['requestHash', 'text'],
  ['scheduledAt', 'timestamptz'],
] as const satisfies readonly (readonly [keyof NewMessage, string])[];
const SHARED_FIELDS = new Set<string>(MESSAGE_INPUT.map(([key]) => key));

interface SharedWrite {
  id: string;
  advisorId: string;
  write: OutboundWrite;
}

export async function writeOutbound(
  db: DbOrTx,
  advisorId: string,
  write: OutboundWrite,
): Promise<MessageRow> {
  const id = randomUUID();
  const fitsShared =
    !write.media &&
    Object.entries(write.message).every(([key, value]) => value === undefined || SHARED_FIELDS.has(key));
  if (!fitsShared) return writeBuilt(db, advisorId, id, write);
  // Inside a caller's transaction the write runs alone: a failed statement aborts that
  // transaction, so the coalescer could not run the batch's calls again one by one.
  if (is(db, PgTransaction)) return (await writeMany(db, [{ id, advisorId, write }]))[0]!;
  return sharedStatement(db, 'write_outbound', writeMany, { aloneOnFailure: true })({ id, advisorId, write });
}

/**
 * Many sends' outbox writes in one statement, each input's row in input order. Concurrent sends
 * share it (coalesce.ts); when one of them breaks a unique index (an idempotency key raced), the
 * coalescer runs each again on its own, so only that one fails, with the error it always had.
 */
async function writeMany(db: DbOrTx, inputs: SharedWrite[]): Promise<MessageRow[]> {
  const statement = preparedOnce(db, 'ww_write_outbound_many', (d) => {
    const p = sql.placeholder;
    const column = (key: keyof typeof whatsappMessage._.columns) => sql.identifier(whatsappMessage[key].name);
    const message = d.$with('message', getTableColumns(whatsappMessage)).as(
      sql`insert into ${whatsappMessage} (${column('id')}, ${column('advisorId')}, ${sql.join(
        MESSAGE_INPUT.map(([key]) => column(key)),
        sql`, `,
      )})
        select * from unnest(${p('ids')}::uuid[], ${p('advisorIds')}::text[], ${sql.join(
          MESSAGE_INPUT.map(([key, type]) => sql`${p(key)}::${sql.raw(type)}[]`),
          sql`, `,
        )})
        returning *`,
    );
    // The audit content goes in as text and becomes jsonb per element: drivers disagree on how
    // to serialise a jsonb[] parameter, never on text[].
    const audit = d.$with('audit', { id: auditLog.id }).as(
      sql`insert into ${auditLog} (advisor_id, actor_type, actor_id, action, message_id, phone, content)
        select a.advisor_id, a.actor_type, a.actor_id, a.action, a.message_id, a.phone, a.content::jsonb
        from unnest(${p('advisorIds')}::text[], ${p('actorTypes')}::text[], ${p('actorIds')}::text[],
          ${p('actions')}::text[], ${p('ids')}::uuid[], ${p('auditPhones')}::text[], ${p('auditContents')}::text[])
          as a(advisor_id, actor_type, actor_id, action, message_id, phone, content)
        returning id`,
    );
    const client = d.$with('client', { phone: whatsappClient.phone }).as(
      sql`insert into ${whatsappClient} (advisor_id, phone, name, name_given, last_outbound_at, updated_at)
        select c.advisor_id, c.phone, c.name, c.given, c.at, c.at
        from unnest(${p('clientAdvisorIds')}::text[], ${p('clientPhones')}::text[],
          ${p('clientNames')}::text[], ${p('clientGiven')}::boolean[], ${p('clientAts')}::timestamptz[])
          as c(advisor_id, phone, name, given, at)
        on conflict (advisor_id, phone) do update set
          name = coalesce(excluded.name, ${whatsappClient}.name),
          name_given = ${whatsappClient}.name_given or excluded.name_given,
          last_outbound_at = greatest(excluded.last_outbound_at, ${whatsappClient}.last_outbound_at),
          updated_at = excluded.updated_at
        returning phone`,
    );
    return d.with(message, audit, client).select().from(message).prepare('ww_write_outbound_many');
  });
  const params: Record<string, unknown[]> = {
    ids: inputs.map((i) => i.id),
    advisorIds: inputs.map((i) => i.advisorId),
    actorTypes: inputs.map((i) => i.write.audit.actorType),
    actorIds: inputs.map((i) => i.write.audit.actorId ?? null),
    actions: inputs.map((i) => i.write.audit.action),
    auditPhones: inputs.map((i) => i.write.client.phone),
    auditContents: inputs.map((i) =>
      i.write.audit.content === undefined ? null : JSON.stringify(i.write.audit.content),
    ),
    ...clientParams(inputs),
  };
  for (const [key] of MESSAGE_INPUT) {
    params[key] = inputs.map(({ write }) => {
      const value = (write.message as Record<string, unknown>)[key];
      return value instanceof Date ? value.toISOString() : (value ?? null);
    });
  }
  const rows = (await statement.execute(params)) as MessageRow[];
  const byId = new Map(rows.map((row) => [row.id, row]));
  return inputs.map((i) => {
    const row = byId.get(i.id);
    if (!row) throw new Error(`the outbox write returned no row for message ${i.id}`);
    return row;
  });
}

/**
 * One client row per advisor and phone: an upsert may not touch a row twice in one statement.
 * The latest send's time wins (in the statement too: two statements in flight may commit in
 * either order, and the last contact never goes back), and the last name given (a send without
 * one keeps the stored name). Sorted, so two shared statements in flight lock the rows they share in the same order
 * and cannot deadlock.
 */
function clientParams(inputs: SharedWrite[]) {
  const clients = new Map<
    string,
    { advisorId: string; phone: string; name: string | null; given: boolean; at: Date }
  >();
  for (const { advisorId, write } of inputs) {
    const key = `${advisorId} ${write.client.phone}`;
    const seen = clients.get(key);
    clients.set(key, {
      advisorId,
      phone: write.client.phone,
      name: write.client.name ?? seen?.name ?? null,
      given: write.client.nameGiven || (seen?.given ?? false),
      at: seen && seen.at > write.client.at ? seen.at : write.client.at,
    });
  }
  const sorted = [...clients.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  return {
    clientAdvisorIds: sorted.map((c) => c.advisorId),
    clientPhones: sorted.map((c) => c.phone),
    clientNames: sorted.map((c) => c.name),
    clientGiven: sorted.map((c) => c.given),
    clientAts: sorted.map((c) => c.at.toISOString()),
  };
}

async function writeBuilt(
  db: DbOrTx,
  advisorId: string,
  id: string,
  write: OutboundWrite,
): Promise<MessageRow> {
  const mediaId = write.media ? randomUUID() : null;
  const { phone, name, nameGiven, at } = write.client;

  const message = db.$with('message').as(
    db
      .insert(whatsappMessage)
      .values({ ...write.message, id, mediaId, advisorId })
      .returning(),
  );
  const audit = db.$with('audit').as(
    db
      .insert(auditLog)
      .values({ advisorId, ...write.audit, messageId: id, phone })
      .returning({ id: auditLog.id }),
  );
  const client = db.$with('client').as(
    db
      .insert(whatsappClient)
      .values({ advisorId, phone, name, nameGiven, lastOutboundAt: at, updatedAt: at })
      .onConflictDoUpdate({
        target: [whatsappClient.advisorId, whatsappClient.phone],
        // As in the shared statement: the last contact never goes back when writes commit out of order.
        set: {
          name: sql`coalesce(${name}, ${whatsappClient.name})`,
          nameGiven: sql`${whatsappClient.nameGiven} or excluded.name_given`,
          lastOutboundAt: sql`greatest(excluded.last_outbound_at, ${whatsappClient.lastOutboundAt})`,
          updatedAt: at,
        },
      })
      .returning({ phone: whatsappClient.phone }),
  );
  const ctes: WithSubquery[] = [message, audit, client];
  if (write.media) {
    const media = db.$with('media').as(
      db
        .insert(whatsappMedia)
        .values({
          id: mediaId!,
          advisorId,
          mimetype: write.media.mimetype,
          fileName: write.media.fileName,
          size: write.media.bytes.length,
          data: write.media.bytes,
        })
        .returning({ id: whatsappMedia.id }),
    );
    ctes.unshift(media);
  }
  const [row] = await db
    .with(...ctes)
    .select()
    .from(message);
  return row!;
}
