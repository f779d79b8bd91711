// Audit entries are numbered by one sequence for the whole platform. An advisor shown those
// numbers learns how many audited actions everyone else took between two of their own entries
// (another advisor's sends, replies, appointment messages): with few advisors, one advisor's
// activity. So each advisor sees their entries' ids through a permutation of their own, keyed by
// a server secret: a number still (the contract's `id: number`, and the cursor that names an
// entry), stable for as long as the secret is, and telling nothing of the ids around it.
//
// The permutation is a four-round Feistel network over 52 bits (two halves of 26), whose round
// function is an HMAC of the advisor's id, the round and the half: a keyed pseudo-random
// permutation of [0, 2^52), invertible with the key. 52 bits keep every value exact in a double.
// Ids run from 1; an id i is shown as perm(i - 1) + 1, so ids shown run from 1 to 2^52 as well.
import { createHmac, hkdfSync } from 'node:crypto';

const HALF_BITS = 26;
const HALF = 2 ** HALF_BITS;
/** Ids above this cannot be shown (2^52, about 4.5 × 10^15 entries: never reached). */
export const MAX_AUDIT_ENTRY_ID = HALF * HALF;
const ROUNDS = 4;

export class AuditEntryIds {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, derived from the secret: the same secret signs sessions.
    this.key = Buffer.from(hkdfSync('sha256', secret, '', 'wellness-whatsapp audit entry ids', 32));
  }

  /** The id the advisor sees for their entry `id`. */
  shown(advisorId: string, id: number): number {
    if (!Number.isSafeInteger(id) || id < 1 || id > MAX_AUDIT_ENTRY_ID) {
      throw new RangeError(`audit entry id out of range: ${id}`);
    }
    let left = Math.floor((id - 1) / HALF);
    let right = (id - 1) % HALF;
    for (let round = 0; round < ROUNDS; round++) {
      [left, right] = [right, (left ^ this.mix(advisorId, round, right)) >>> 0];
    }
    return left * HALF + right + 1;
  }

  /** The entry id an advisor's shown id stands for; null for a number no id is shown as. */
  entryId(advisorId: string, shown: number): number | null {
    if (!Number.isSafeInteger(shown) || shown < 1 || shown > MAX_AUDIT_ENTRY_ID) return null;
    let left = Math.floor((shown - 1) / HALF);
    let right = (shown - 1) % HALF;
    for (let round = ROUNDS - 1; round >= 0; round--) {
      [left, right] = [(right ^ this.mix(advisorId, round, left)) >>> 0, left];
    }
    return left * HALF + right + 1;
  }

  /** The round function: 26 bits of an HMAC of the advisor, the round and the half. */
  private mix(advisorId: string, round: number, half: number): number {
    const mac = createHmac('sha256', this.key).update(`${advisorId}\0${round}\0${half}`).digest();
    return mac.readUInt32BE(0) >>> (32 - HALF_BITS);
  }
}
