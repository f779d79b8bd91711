import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, keyId } from './secret-box.js';

describe('SecretBox', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips and never shows the plaintext', () => {
    const box = new SecretBox(k1);
    const sealed = box.seal('instance-token-123');
    expect(sealed).not.toContain('instance-token-123');
    expect(sealed.split(':')[1]).toBe(keyId(k1));
    expect(box.open(sealed)).toBe('instance-token-123');
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('opens values sealed under an old key and reports them as stale', () => {
    const sealedOld = new SecretBox(k1).seal('secret');
    const rotated = new SecretBox(k2, [k1]);
    expect(rotated.open(sealedOld)).toBe('secret');
    expect(rotated.isStale(sealedOld)).toBe(true);
    expect(rotated.isStale(rotated.seal('x'))).toBe(false);
  });

  it('refuses a value whose key is unknown, tampered or relabelled', () => {
    const sealed = new SecretBox(k1).seal('secret');
    expect(() => new SecretBox(k2).open(sealed)).toThrow(/ENCRYPTION_KEYS/);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => new SecretBox(k1).open(parts.join(':'))).toThrow();
    expect(() => new SecretBox(k1).open('plain text')).toThrow(/not a sealed secret/);
  });
});
