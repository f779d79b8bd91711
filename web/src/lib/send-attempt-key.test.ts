import { describe, expect, it } from 'vitest';
import { SendAttemptKey } from './send-attempt-key';

const counting = () => {
  let n = 0;
  return () => `key-${++n}`;
};

describe('SendAttemptKey', () => {
  it('gives a press that repeats an unanswered send the same key', () => {
    const keys = new SendAttemptKey(counting());
    const body = { to: '+34612345678', type: 'text', text: 'Hola' };
    expect(keys.for(body)).toBe('key-1');
    expect(keys.for({ ...body })).toBe('key-1');
  });

  it('gives another request another key', () => {
    const keys = new SendAttemptKey(counting());
    expect(keys.for({ to: '+34612345678', text: 'Hola' })).toBe('key-1');
    expect(keys.for({ to: '+34612345678', text: 'Hola, Ana' })).toBe('key-2');
    expect(keys.for({ to: '+34612345678', text: 'Hola' })).toBe('key-3');
  });

  it('gives the same words a new key once their send was answered', () => {
    const keys = new SendAttemptKey(counting());
    const body = { to: '+34612345678', text: 'Gracias' };
    expect(keys.for(body)).toBe('key-1');
    keys.settle();
    expect(keys.for(body)).toBe('key-2');
  });

  it('repeats the first body while the intent is the same, whatever build would add now', () => {
    const keys = new SendAttemptKey(counting());
    const first = keys.request({ to: '+34612345678', text: 'Hola' }, () => ({ text: 'Hola' }));
    const again = keys.request({ to: '+34612345678', text: 'Hola' }, () => ({
      text: 'Hola',
      clientName: 'Ana',
    }));
    expect(again).toEqual(first);
    expect(again).toEqual({ key: 'key-1', body: { text: 'Hola' } });
    keys.settle();
    expect(
      keys.request({ to: '+34612345678', text: 'Hola' }, () => ({ text: 'Hola', clientName: 'Ana' })),
    ).toEqual({
      key: 'key-2',
      body: { text: 'Hola', clientName: 'Ana' },
    });
  });
});
