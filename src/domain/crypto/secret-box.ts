// Encrypts credentials at rest with AES-256-GCM. Every ciphertext names the key that sealed it
// (a short id derived from the key itself), so old keys listed in ENCRYPTION_KEYS keep opening
// rows until `rotate-keys` re-seals them under the current ENCRYPTION_KEY.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, old: readonly Buffer[] = []) {
    if (current.length !== 32) throw new Error('encryption key must be 32 bytes');
    this.currentKeyId = keyId(current);
    this.keys.set(this.currentKeyId, current);
    for (const k of old) if (!this.keys.has(keyId(k))) this.keys.set(keyId(k), k);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    // The key id is bound as associated data: a ciphertext cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(this.currentKeyId));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      this.currentKeyId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      body.toString('base64url'),
    ].join(':');
  }

  open(sealed: string): string {
    const [version, kid, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !kid || !iv || !tag || body === undefined)
      throw new Error('not a sealed secret');
    const key = this.keys.get(kid);
    if (!key) throw new Error(`no encryption key with id ${kid}: add the old key to ENCRYPTION_KEYS`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** True when the value was sealed under a key other than the current one. */
  isStale(sealed: string): boolean {
    return sealed.split(':')[1] !== this.currentKeyId;
  }
}
