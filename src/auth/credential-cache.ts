// Credentials an API process resolved in the last few seconds (dashboard sessions, API keys), so
// a burst of requests does not ask the database each time: better-auth's two session queries
// were a sixth of the API's CPU per POST /send, and an API key's read is one more statement per
// request (docs/BENCHMARKS.md, "Where the time goes").
//
// Revocation is what a cache of credentials must get right. Every revocation made through this
// service (sign-out, an API key deleted or changed, an admin action) forgets the advisor's entries
// in this process at once and is announced to every other API process (revocation-feed.ts), which
// forget them as the announcement arrives. A cache only serves while its process hears the
// announcements: `suspend` empties it and turns it off until `resume`. The TTL is the bound for
// what no announcement covers: a row changed in the database by hand, an announcement lost
// between a publish and a connection that had not yet noticed it was dead.
export interface CachedCredential {
  advisorId: string;
}

interface Entry<T> {
  value: T;
  until: number;
}

export class CredentialCache<T extends CachedCredential> {
  private readonly entries = new Map<string, Entry<T>>();
  /**
   * Bumped by every forget. A request that began resolving its credential before a revocation
   * was heard could otherwise put the revoked credential back for a whole TTL: it read it while
   * it still existed, and cached it after the forget. `set` refuses what was read under an older
   * generation.
   */
  private forgets = 0;
  private suspended = false;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): T | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (entry.until <= this.now()) {
      this.entries.delete(token);
      return null;
    }
    return entry.value;
  }

  /** Read before resolving a credential; hand it back to `set`. */
  get generation(): number {
    return this.forgets;
  }

  /** Keeps `value` under `token` for the TTL, never past `expiresAt` (null: no expiry of its own). */
  set(token: string, value: T, expiresAt: Date | null, readAt = this.forgets): void {
    if (this.ttlMs <= 0 || this.suspended || readAt !== this.forgets) return;
    const until = Math.min(this.now() + this.ttlMs, expiresAt?.getTime() ?? Infinity);
    if (until <= this.now()) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(token);
    this.entries.set(token, { value, until });
  }

  /** Forget every cached credential of this advisor (sign-out, revoke, password change…). */
  forgetAdvisor(advisorId: string): void {
    this.forgets += 1;
    for (const [token, entry] of this.entries) {
      if (entry.value.advisorId === advisorId) this.entries.delete(token);
    }
  }

  clear(): void {
    this.forgets += 1;
    this.entries.clear();
  }

  /** Empties the cache and keeps it empty: revocations may be going unheard. */
  suspend(): void {
    this.suspended = true;
    this.clear();
  }

  /** Serves again, from empty: what was announced while suspended was not heard. */
  resume(): void {
    this.clear();
    this.suspended = false;
  }

  get serving(): boolean {
    return !this.suspended && this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
