// Identifier shapes that clients see on the wire. They follow what the real gateway produces so a client that
// parses or stores them (column widths, regexes) meets realistic values.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

// A pool of random bytes refilled in bulk: one randomBytes() call per send would dominate the hot path.
let pool = Buffer.alloc(0);
let offset = 0;

function take(size: number): Buffer {
  if (offset + size > pool.length) {
    pool = randomBytes(64 * 1024);
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + size);
  offset += size;
  return slice;
}

/** Message id of a message sent through the API: Baileys web ids are `3EB0` + 18 uppercase hex chars. */
export function outboundMessageId(): string {
  return '3EB0' + take(9).toString('hex').toUpperCase();
}

/** Message id of a message typed on a phone (Android shape: 32 uppercase hex chars). */
export function phoneMessageId(): string {
  return take(16).toString('hex').toUpperCase();
}

export function uuid(): string {
  return randomUUID();
}

/** Instance token when the creator sends none: an uppercase uuid v4, as the real create does. */
export function generatedToken(): string {
  return randomUUID().toUpperCase();
}

/** Prisma `cuid()`-looking row id (MessageUpdate.id, Message.id, Webhook.id). */
export function rowId(): string {
  return 'cm' + take(12).toString('hex').slice(0, 23);
}

export function base64Bytes(size: number): string {
  return take(size).toString('base64');
}

/** Digits derived from a seed, stable across runs: default phone numbers and LIDs must not change per call. */
export function stableDigits(seed: string, count: number): string {
  let digits = '';
  let round = 0;
  while (digits.length < count) {
    const hash = createHash('sha256').update(`${seed}#${round}`).digest();
    for (const byte of hash) digits += String(byte % 10);
    round += 1;
  }
  return digits.slice(0, count);
}
