// Edits and deletions for everyone that a message's author made in WhatsApp, applied to its row.
// Found by (advisor, Evolution id), so an instance's events only ever touch its own advisor's
// messages. Both writes are conditional: a deleted message takes no edit, and an edit older than
// the one already applied (events arrive unordered, sometimes twice) changes nothing. A change
// that arrives before its message is parked (pending_message_change) until the message is stored.
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { pendingMessageChange, whatsappMessage } from '../schema/index.js';
import { parkedForStoredMessages, type ParkedForStored } from './parked-for-stored.js';
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

/**
 * The client's text message with this Evolution id, deleted or not: the only message whose edit is
 * read for an opt-out word. Null for the advisor's own messages, media (a caption is no keyword, as
 * on arrival), group messages and hidden numbers (no phone).
 */
export async function findClientTextMessage(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
): Promise<MessageRow | null> {
  const m = whatsappMessage;
  const [row] = await db
    .select()
    .from(m)
    .where(
      and(
        eq(m.advisorId, advisorId),
        eq(m.evolutionMessageId, evolutionMessageId),
        eq(m.direction, 'inbound'),
        eq(m.type, 'text'),
        isNotNull(m.phone),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Whether the advisor has a message with this Evolution id (deleted or not). */
export async function hasMessage(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
): Promise<boolean> {
  const [row] = await db
    .select({ id: whatsappMessage.id })
    .from(whatsappMessage)
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.evolutionMessageId, evolutionMessageId),
      ),
    )
    .limit(1);
  return row !== undefined;
}

export type PendingMessageChange =
  { kind: 'edit'; text: string | null; caption: string | null; at: Date } | { kind: 'delete'; at: Date };

/**
 * Parks a change for a message not stored yet. One per message and kind: a second deletion
 * changes nothing, and of two edits the newer one is kept (as editMessage keeps the newer).
 */
export async function parkMessageChange(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
  change: PendingMessageChange,
): Promise<void> {
  const p = pendingMessageChange;
  const values = {
    advisorId,
    evolutionMessageId,
    kind: change.kind,
    text: change.kind === 'edit' ? change.text : null,
    caption: change.kind === 'edit' ? change.caption : null,
    at: change.at,
  };
  await db
    .insert(p)
    .values(values)
    .onConflictDoUpdate({
      target: [p.advisorId, p.evolutionMessageId, p.kind],
      set: { text: values.text, caption: values.caption, at: values.at },
      setWhere: sql`${p.kind} = 'edit' and ${p.at} < ${values.at.toISOString()}::timestamptz`,
    });
}

/**
 * The changes parked for this message, edits first, then a deletion; left in place until applied
 * (deleteMessageChanges), so a failure in between leaves them for the next attempt.
 */
export async function findMessageChanges(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
): Promise<PendingMessageChange[]> {
  const p = pendingMessageChange;
  const rows = await db
    .select()
    .from(p)
    .where(and(eq(p.advisorId, advisorId), eq(p.evolutionMessageId, evolutionMessageId)));
  // An edit made before the deletion shows as edited and deleted, as it would have in order.
  return rows
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'edit' ? -1 : 1))
    .map((r) =>
      r.kind === 'edit'
        ? { kind: 'edit' as const, text: r.text, caption: r.caption, at: r.at }
        : { kind: 'delete' as const, at: r.at },
    );
}

/**
 * Deletes these parked changes once applied, each only as it was read: a newer edit parked since
 * (it replaces the row's words and time) stays, for its own webhook's second look to apply.
 */
export async function deleteMessageChanges(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
  changes: readonly PendingMessageChange[],
): Promise<void> {
  if (changes.length === 0) return;
  const p = pendingMessageChange;
  await db
    .delete(p)
    .where(
      and(
        eq(p.advisorId, advisorId),
        eq(p.evolutionMessageId, evolutionMessageId),
        or(...changes.map((c) => and(eq(p.kind, c.kind), eq(p.at, c.at)))),
      ),
    );
}

/**
 * Messages with changes still parked although the message is stored by now: its Evolution id was
 * recorded by a path that applies no parked changes (the send worker recording an API send, an
 * echo adopted for a lost send), so an edit the advisor made on the phone before that waited a
 * day and was dropped; or the run that stored it stopped before applying them. The webhook sweep
 * applies them.
 */
export async function listParkedForStoredMessages(db: DbOrTx, limit: number): Promise<ParkedForStored[]> {
  return parkedForStoredMessages(db, pendingMessageChange, limit);
}

/** Retention: parked changes whose message never came (another tool's, a chat we ignore). */
export async function prunePendingMessageChanges(db: DbOrTx, parkedBefore: Date): Promise<number> {
  const rows = await db
    .delete(pendingMessageChange)
    .where(lt(pendingMessageChange.parkedAt, parkedBefore))
    .returning({ id: pendingMessageChange.evolutionMessageId });
  return rows.length;
}
