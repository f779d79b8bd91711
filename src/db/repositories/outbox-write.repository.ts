// The outbox write of one outbound message: its media (when uploaded), the message row, its audit
// entry and the client's last-contact time, in ONE statement (data-modifying CTEs are atomic like
// a transaction). A BEGIN … COMMIT of four statements cost five round trips to the database per
// send; this costs one. Ids are drawn here so the audit entry can name the message without a
// read-back.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { WithSubquery } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { auditLog, whatsappClient, whatsappMedia, whatsappMessage } from '../schema/index.js';
import type { AuditEntry } from './audit.repository.js';
import type { MessageRow, NewMessage } from './message.repository.js';

export interface OutboundWrite {
  media: { mimetype: string; fileName: string | null; bytes: Buffer } | null;
  message: Omit<NewMessage, 'id' | 'mediaId'>;
  audit: Omit<AuditEntry, 'messageId' | 'phone'>;
  client: { phone: string; name: string | null; at: Date };
}

export async function writeOutbound(
  db: DbOrTx,
  advisorId: string,
  write: OutboundWrite,
): Promise<MessageRow> {
  const id = randomUUID();
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
