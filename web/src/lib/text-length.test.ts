import { describe, expect, it } from 'vitest';
import { characterCount, tooLong } from './text-length';

describe('text length as the server counts it', () => {
  it('counts an emoji as one character, where `length` says two', () => {
    expect('🌿'.length).toBe(2);
    expect(characterCount('🌿')).toBe(1);
    expect(characterCount('Hola 🌿ñ')).toBe(7);
  });

  it('is too long past `max` characters, after trimming', () => {
    expect(tooLong('🌿'.repeat(32), 32)).toBe(false);
    expect(tooLong('🌿'.repeat(33), 32)).toBe(true);
    expect(tooLong(`  ${'a'.repeat(32)}  `, 32)).toBe(false);
    expect(tooLong('a'.repeat(33), 32)).toBe(true);
  });
});
