// The key hash we look keys up by must be exactly the one better-auth stored them under.
import { defaultKeyHasher } from '@better-auth/api-key';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from './api-key-check.js';

describe('hashApiKey', () => {
  it.each([
    ['a key as better-auth makes them', 'ww_' + 'Ab9'.repeat(21)],
    ['an empty string', ''],
    ['characters outside ASCII (UTF-8 bytes are hashed)', 'clave-ñandú-🔑'],
    ['a long key', 'k'.repeat(1_024)],
  ])('matches better-auth defaultKeyHasher for %s', async (_, key) => {
    expect(hashApiKey(key)).toBe(await defaultKeyHasher(key));
  });

  it('tells different keys apart', () => {
    expect(hashApiKey('key-one')).not.toBe(hashApiKey('key-two'));
  });
});
