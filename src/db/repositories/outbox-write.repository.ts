// The outbox write of one outbound message: its media (when uploaded), the message row, its audit
// entry and the client's last-contact time, in ONE statement (data-modifying CTEs are atomic like
// a transaction). A BEGIN … COMMIT of four statements cost five round trips to the database per
// send; this costs one. Ids are drawn here so the audit entry can name the message without a
// read-back. A send without an upload (nearly all of them) runs a named statement built once:
// building it with Drizzle on every request was a tenth of the API's CPU.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { WithSubquery } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { auditLog, whatsappClient, whatsappMedia, whatsappMessage } from '../schema/index.js';
import type { AuditEntry } from './audit.repository.js';
import type { MessageRow, NewMessage } from './message.repository.js';

export interface OutboundWrite {
  media: { mimetype: string; fileName: string | null; bytes: Buffer } | null;
  message: Omit<NewMessage, 'id' | 'mediaId'>;
  audit: Omit<AuditEntry, 'messageId' | 'phone'>;
  client: { phone: string; name: string | null; at: Date };
}

/** The message columns the named statement sets; a write with any other goes the built way. */
const TEXT_FIELDS = [
  'direction',
  'phone',
  'clientName',
  'type',
  'text',
  'caption',
  'mediaUrl',
  'mimetype',
  'fileName',
  'templateId',
  'templateKey',
  'templateLanguage',
  'appointmentId',
  'purpose',
  'status',
  'source',
  'idempotencyKey',
  'requestHash',
] as const;
const PREPARED_FIELDS = new Set<string>([...TEXT_FIELDS, 'scheduledAt']);

export async function writeOutbound(
  db: DbOrTx,
  advisorId: string,
  write: OutboundWrite,
): Promise<MessageRow> {
  const id = randomUUID();
  const fitsPrepared =
    !write.media &&
    Object.entries(write.message).every(([key, value]) => value === undefined || PREPARED_FIELDS.has(key));
  if (fitsPrepared) return writePrepared(db, advisorId, id, write);
  return writeBuilt(db, advisorId, id, write);
}

async function writePrepared(
  db: DbOrTx,
  advisorId: string,
  id: string,
  write: OutboundWrite,
): Promise<MessageRow> {
  const statement = preparedOnce(db, 'ww_write_outbound', (d) => {
    const p = (name: string) => sql.placeholder(name);
    const at = sql`${p('at')}::timestamptz`;
    const message = d.$with('message').as(
      d
        .insert(whatsappMessage)
        .values({
          ...Object.fromEntries(TEXT_FIELDS.map((field) => [field, p(field)])),
          id: p('id'),
          advisorId: p('advisorId'),
          scheduledAt: sql`${p('scheduledAt')}::timestamptz`,
        } as never)
        .returning(),
    );
    const audit = d.$with('audit').as(
      d
        .insert(auditLog)
        .values({
          advisorId: p('advisorId'),
          actorType: p('actorType'),
          actorId: p('actorId'),
          action: p('action'),
          messageId: p('id'),
          phone: p('clientPhone'),
          content: sql`${p('auditContent')}::jsonb`,
        } as never)
        .returning({ id: auditLog.id }),
    );
    const client = d.$with('client').as(
      d
        .insert(whatsappClient)
        .values({
          advisorId: p('advisorId'),
          phone: p('clientPhone'),
          name: sql`${p('clientName')}::text`,
          lastOutboundAt: at,
          updatedAt: at,
        } as never)
        .onConflictDoUpdate({
          target: [whatsappClient.advisorId, whatsappClient.phone],
          set: {
            name: sql`coalesce(${p('clientName')}::text, ${whatsappClient.name})`,
            lastOutboundAt: at,
            updatedAt: at,
          },
        })
        .returning({ phone: whatsappClient.phone }),
    );
    return d.with(message, audit, client).select().from(message).prepare('ww_write_outbound');
  });
  const m = write.message as Record<string, unknown>;
  const [row] = await statement.execute({
    ...Object.fromEntries(TEXT_FIELDS.map((field) => [field, m[field] ?? null])),
    id,
    advisorId,
    scheduledAt: write.message.scheduledAt ? write.message.scheduledAt.toISOString() : null,
    actorType: write.audit.actorType,
    actorId: write.audit.actorId,
    action: write.audit.action,
    auditContent: write.audit.content === undefined ? null : JSON.stringify(write.audit.content),
    clientPhone: write.client.phone,
    clientName: write.client.name,
    at: write.client.at.toISOString(),
  });
  return row as MessageRow;
}

async function writeBuilt(
  db: DbOrTx,
  advisorId: string,
  id: string,
  write: OutboundWrite,
): Promise<MessageRow> {
  const mediaId = write.media ? randomUUID() : null;
  const { phone, name, at } = write.client;

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
      .values({ advisorId, phone, name, lastOutboundAt: at, updatedAt: at })
      .onConflictDoUpdate({
        target: [whatsappClient.advisorId, whatsappClient.phone],
        set: { name: sql`coalesce(${name}, ${whatsappClient.name})`, lastOutboundAt: at, updatedAt: at },
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
