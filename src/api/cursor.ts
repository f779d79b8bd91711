// Opaque pagination cursors: (createdAt, id) of the last row, so pages stay stable while new
// rows arrive; a chat's are by when its messages were exchanged (encodeChatCursor). A cursor
// that does not decode is a 400, never a database error.
import { AppError } from '../domain/app-error.js';
import type { ChatCursor } from '../domain/inbox/list-conversation-messages.js';
import { storableInstant } from './schemas/instant.schema.js';

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const badCursor = () =>
  new AppError('invalid_request', 'The cursor is not valid: use nextCursor from a previous page.', {
    fields: [{ field: 'cursor', message: 'is not a valid cursor' }],
  });

/**
 * The instant a cursor names, only as `encodeCursor` writes it (toISOString, years 1–9999): a
 * hand-made "+275760-09-13T00:00:00Z" parses in JavaScript but is out of PostgreSQL's range.
 */
export function cursorInstant(at: string | undefined): Date | null {
  if (at === undefined || !storableInstant(at)) return null;
  const date = new Date(at);
  return date.toISOString() === at ? date : null;
}

export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = cursorInstant(at);
  if (!createdAt || !id || !UUID.test(id) || rest.length > 0) throw badCursor();
  return { createdAt, id };
}

/** A chat's cursor: "x|" marks the exchange order, the instant at PostgreSQL's microseconds. */
export function encodeChatCursor(next: ChatCursor | null): string | null {
  if (!next) return null;
  if (next.order === 'created') return encodeCursor(next);
  return Buffer.from(`x|${next.at}|${next.id}`).toString('base64url');
}

const MICRO_INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d{3}Z$/;

/**
 * A chat's cursor as `encodeChatCursor` writes it, or one a client got before the chat followed
 * the exchange (createdAt|id): that one goes on in creation order (ChatCursor).
 */
export function decodeChatCursor(cursor: string | undefined): ChatCursor | undefined {
  if (!cursor) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts[0] !== 'x') {
    const created = decodeCursor(cursor);
    return created && { order: 'created', ...created };
  }
  const [, at, id, ...rest] = parts;
  const millis = at === undefined ? null : MICRO_INSTANT.exec(at);
  if (!millis || !cursorInstant(`${millis[1]}Z`) || !id || !UUID.test(id) || rest.length > 0) {
    throw badCursor();
  }
  return { order: 'exchanged', at: at!, id };
}
