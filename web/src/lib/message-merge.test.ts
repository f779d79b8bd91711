import { describe, expect, it } from 'vitest';
import type { Message } from './api-types';
import { laterOf } from './message-merge';

const message = (status: Message['status']) => ({ id: 'm-1', status }) as Message;

describe('laterOf', () => {
  it('keeps the row that is further along when a late answer arrives', () => {
    expect(laterOf(message('sent'), message('queued')).status).toBe('sent');
    expect(laterOf(message('read'), message('delivered')).status).toBe('read');
  });

  it('moves forward, and lets a retry take a failed message back to queued', () => {
    expect(laterOf(message('queued'), message('sending')).status).toBe('sending');
    expect(laterOf(message('failed'), message('queued')).status).toBe('queued');
    expect(laterOf(message('sent'), message('failed')).status).toBe('failed');
    expect(laterOf(undefined, message('queued')).status).toBe('queued');
  });

  it("keeps the author's newest edit and a deletion, whichever copy of the row arrives last", () => {
    const base = { id: 'm-2', status: 'received', text: 'el martes', caption: null } as unknown as Message;
    const edited = { ...base, text: 'el miércoles', editedAt: '2026-12-03T10:00:00.000Z' } as Message;
    const editedAgain = { ...base, text: 'el jueves', editedAt: '2026-12-03T10:05:00.000Z' } as Message;
    const deleted = { ...base, text: null, deletedAt: '2026-12-03T10:10:00.000Z' } as Message;
    // A copy read before the edit, arriving after it, does not bring the old words back.
    expect(laterOf(edited, base)).toMatchObject({ text: 'el miércoles', editedAt: edited.editedAt });
    expect(laterOf(editedAgain, edited)).toMatchObject({ text: 'el jueves' });
    expect(laterOf(edited, editedAgain)).toMatchObject({ text: 'el jueves' });
    expect(laterOf(deleted, editedAgain)).toMatchObject({ text: null, deletedAt: deleted.deletedAt });
    expect(laterOf(edited, deleted)).toMatchObject({ text: null, deletedAt: deleted.deletedAt });
  });

  it('keeps the deletion when an outbound row further along arrives after it', () => {
    const deleted = { ...message('sent'), text: null, deletedAt: '2026-12-03T10:10:00.000Z' } as Message;
    const read = { ...message('read'), text: 'hola' } as Message;
    expect(laterOf(deleted, read)).toMatchObject({
      status: 'read',
      text: null,
      deletedAt: deleted.deletedAt,
    });
  });
});
