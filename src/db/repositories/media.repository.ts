// Retention of uploaded media: the bytes are only needed to send the message (Evolution takes them
// as base64), yet they were kept forever and came to dominate the database's size. A system job
// (hourly, like the other prunes) deletes an upload once no message needing it has been touched
// for the retention period: its message is done (sent, delivered, read, failed, cancelled,
// skipped) and was last updated before the cutoff. A message still waiting keeps its bytes
// however old, and so does one updated since the cutoff (a failed message retried, a late read
// receipt). A failed message whose bytes went cannot be retried (retry-message.ts: 409); one whose
// retry raced with the prune fails with "The media for this message is no longer available"
// (deliver-message.ts), never with a send of nothing.
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { amongIds } from '../among-ids.js';
import type { DbOrTx } from '../client.js';
import { whatsappMedia, whatsappMessage } from '../schema/index.js';

/** Whether the advisor's upload `mediaId` is still stored (retention has not deleted it). */
export async function mediaKept(db: DbOrTx, advisorId: string, mediaId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: whatsappMedia.id })
    .from(whatsappMedia)
    .where(and(eq(whatsappMedia.advisorId, advisorId), eq(whatsappMedia.id, mediaId)))
    .limit(1);
  return row !== undefined;
}

/** Deletes one batch of uploads no message needs since `doneBefore`; how many went. */
export async function pruneSentMedia(db: DbOrTx, doneBefore: Date, batch = 500): Promise<number> {
  const unneeded = db
    .select({ id: whatsappMedia.id })
    .from(whatsappMedia)
    .where(
      and(
        lt(whatsappMedia.createdAt, doneBefore),
        sql`not exists (select 1 from ${whatsappMessage} m
          where m.media_id = ${whatsappMedia.id} and m.advisor_id = ${whatsappMedia.advisorId}
            and (m.unfinished or m.updated_at >= ${doneBefore.toISOString()}::timestamptz))`,
      ),
    )
    .orderBy(asc(whatsappMedia.createdAt))
    .limit(batch);
  const rows = await db
    .delete(whatsappMedia)
    .where(amongIds(whatsappMedia.id, unneeded))
    .returning({ id: whatsappMedia.id });
  return rows.length;
}

/** Every batch until none is left (a batch at a time keeps each statement's locks short). */
export async function pruneAllSentMedia(db: DbOrTx, doneBefore: Date): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await pruneSentMedia(db, doneBefore);
    removed += batch;
    if (batch === 0) return removed;
  }
}
