// Audit entries are numbered by one sequence for the whole platform. An advisor shown those
// numbers learns how many audited actions everyone else took between two of their own entries
// (another advisor's sends, replies, appointment messages): with few advisors, one advisor's
// activity. So each advisor sees their entries' ids through a permutation of their own, keyed by
// a server secret: a number still (the contract's `id: number`, and the cursor that names an
// entry), stable for as long as the secret is, and telling nothing of the ids around it.
//
// The permutation is a four-round Feistel network over 52 bits (two halves of 26), whose round
// function is AES-256 of one block naming the advisor, the round and the half: a keyed
// pseudo-random permutation of [0, 2^52), invertible with the key. 52 bits keep every value exact
// in a double. Ids run from 1; an id i is shown as perm(i - 1) + 1, so ids shown run from 1 to
// 2^52 as well. AES rather than an HMAC per round: one cipher object serves every call (ECB of a
// single block is the block cipher itself), where an HMAC created for each of the four rounds
// made an id cost about 25 µs (5 ms for a page of 200); now about 6.
import { createCipheriv, createHash, hkdfSync, type Cipher } from 'node:crypto';

const HALF_BITS = 26;
const HALF = 2 ** HALF_BITS;
/** Ids above this cannot be shown (2^52, about 4.5 × 10^15 entries: never reached). */
export const MAX_AUDIT_ENTRY_ID = HALF * HALF;
const ROUNDS = 4;
/** 11 bytes standing for the advisor in every block (two advisors share them with odds of 2^-88). */
const TWEAK_BYTES = 11;

export interface AdvisorAuditIds {
  /** The id the advisor sees for their entry `id`. */
  shown(id: number): number;
  /** The entry id one of the advisor's shown ids stands for; null for a number no id is shown as. */
  entryId(shown: number): number | null;
}

export class AuditEntryIds {
  private readonly cipher: Cipher;
  private readonly block = Buffer.alloc(16);

  constructor(secret: string) {
    // A key of its own, derived from the secret: the same secret signs sessions.
    const key = Buffer.from(hkdfSync('sha256', secret, '', 'wellness-whatsapp audit entry ids', 32));
    this.cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  }

  /** One advisor's numbering (the advisor's part of every block worked out once). */
  of(advisorId: string): AdvisorAuditIds {
    const tweak = createHash('sha256').update(advisorId).digest();
    return {
      shown: (id) => this.shown(tweak, id),
      entryId: (shown) => this.entryId(tweak, shown),
    };
  }

  private shown(tweak: Buffer, id: number): number {
    if (!Number.isSafeInteger(id) || id < 1 || id > MAX_AUDIT_ENTRY_ID) {
      throw new RangeError(`audit entry id out of range: ${id}`);
    }
    let left = Math.floor((id - 1) / HALF);
    let right = (id - 1) % HALF;
    for (let round = 0; round < ROUNDS; round++) {
      [left, right] = [right, (left ^ this.mix(tweak, round, right)) >>> 0];
    }
    return left * HALF + right + 1;
  }

  private entryId(tweak: Buffer, shown: number): number | null {
    if (!Number.isSafeInteger(shown) || shown < 1 || shown > MAX_AUDIT_ENTRY_ID) return null;
    let left = Math.floor((shown - 1) / HALF);
    let right = (shown - 1) % HALF;
    for (let round = ROUNDS - 1; round >= 0; round--) {
      [left, right] = [(right ^ this.mix(tweak, round, left)) >>> 0, left];
    }
    return left * HALF + right + 1;
  }

  /** The round function: 26 bits of AES of [the advisor's tweak, the round, the half]. */
  private mix(tweak: Buffer, round: number, half: number): number {
    tweak.copy(this.block, 0, 0, TWEAK_BYTES);
    this.block.writeUInt8(round, TWEAK_BYTES);
    this.block.writeUInt32BE(half, TWEAK_BYTES + 1);
    return this.cipher.update(this.block).readUInt32BE(0) >>> (32 - HALF_BITS);
  }
}
