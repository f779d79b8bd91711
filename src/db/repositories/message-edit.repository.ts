// Edits and deletions for everyone that a message's author made in WhatsApp, applied to its row.
// Found by (advisor, Evolution id), so an instance's events only ever touch its own advisor's
// messages. Both writes are conditional: a deleted message takes no edit, and an edit older than
// the one already applied (events arrive unordered, sometimes twice) changes nothing.
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { whatsappMessage } from '../schema/index.js';
import type { MessageRow } from './message.repository.js';

export interface MessageEdit {
  /** The new text of a text message; null leaves the text as it was. */
  text: string | null;
  /** The new caption of a media message; null leaves the caption as it was. */
  caption: string | null;
  at: Date;
}

/** The edited row, or null when there is no such message, it was deleted, or a later edit stands. */
export async function editMessage(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
  edit: MessageEdit,
): Promise<MessageRow | null> {
  const m = whatsappMessage;
  const [row] = await db
    .update(m)
    .set({
      text: edit.text ?? sql`${m.text}`,
      caption: edit.caption ?? sql`${m.caption}`,
      editedAt: edit.at,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(m.advisorId, advisorId),
        eq(m.evolutionMessageId, evolutionMessageId),
        isNull(m.deletedAt),
        or(isNull(m.editedAt), lt(m.editedAt, edit.at)),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Marks the message deleted for everyone and drops its words (text, caption, file name), as
 * WhatsApp does on the client's phone. The audit log keeps what we sent. Null when there is no
 * such message or it was already deleted.
 */
export async function deleteMessageContent(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
  at: Date,
): Promise<MessageRow | null> {
  const m = whatsappMessage;
  const [row] = await db
    .update(m)
    .set({ text: null, caption: null, fileName: null, deletedAt: at, updatedAt: new Date() })
    .where(and(eq(m.advisorId, advisorId), eq(m.evolutionMessageId, evolutionMessageId), isNull(m.deletedAt)))
    .returning();
  return row ?? null;
}
