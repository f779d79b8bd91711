// Opaque pagination cursors: (createdAt, id) of the last row, so pages stay stable while new
// rows arrive. A cursor that does not decode is a 400, never a database error.
import { AppError } from '../domain/app-error.js';

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError('invalid_request', 'The cursor is not valid: use nextCursor from a previous page.', {
      fields: [{ field: 'cursor', message: 'is not a valid cursor' }],
    });
  }
  return { createdAt, id };
}
