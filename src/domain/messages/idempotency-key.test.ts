import { describe, expect, it } from 'vitest';
import { callerIdempotencyKey } from './idempotency-key.js';

describe('callerIdempotencyKey', () => {
  it('stores an ordinary key as it comes (keys stored before the rule keep answering)', () => {
    expect(callerIdempotencyKey('booking-42')).toBe('booking-42');
    expect(callerIdempotencyKey('7f3c0a4e-1111-4a2b-9c3d-000000000000')).toBe(
      '7f3c0a4e-1111-4a2b-9c3d-000000000000',
    );
  });

  it('never yields a key of the service’s own form', () => {
    const ours = 'appointment:d2bc6425-936c-45ce-957f-40f0893a79c6:v2:reminder';
    expect(callerIdempotencyKey(ours)).not.toBe(ours);
    expect(callerIdempotencyKey(ours).startsWith('appointment:')).toBe(false);
  });

  it('keeps two different caller keys apart, the escape itself included', () => {
    const keys = ['appointment:x', '~caller:appointment:x', '~caller:x', 'x', '~caller:~caller:x'];
    const stored = keys.map(callerIdempotencyKey);
    expect(new Set(stored).size).toBe(keys.length);
  });
});
