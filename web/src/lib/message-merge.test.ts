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
});
