// Dashboard sessions resolved in the last few seconds, so a burst of requests from one browser
// does not cost better-auth's two session queries each time (docs/BENCHMARKS.md, "Where the time
// goes": they were a sixth of the API's CPU per POST /send, and two of its five statements).
//
// The trade-off is revocation: a session deleted by ANOTHER process (sign-out handled by another
// API replica, an admin revoking it) keeps working here for at most SESSION_CACHE_TTL_MS. A sign-out
// or any other better-auth POST handled by this process drops the caller's entries at once, an
// entry never outlives its session's own expiry, and SESSION_CACHE_TTL_MS=0 turns the cache off.
// API keys are never cached: a revoked key stops working on its next request.
import type { Auth } from './auth.js';

export interface CachedCaller {
  advisorId: string;
  role: 'user' | 'admin';
  /** The admin impersonating the advisor in this session, if any. */
  impersonatedBy?: string | null;
}

interface Entry {
  caller: CachedCaller;
  until: number;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * Bumped by every forget. A request that began resolving its session before a sign-out here
   * finished could otherwise put the signed-out session back for a whole TTL: it read the session
   * while it still existed, and cached it after the forget. `set` refuses what was read under an
   * older generation.
   */
  private forgets = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): CachedCaller | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (entry.until <= this.now()) {
      this.entries.delete(token);
      return null;
    }
    return entry.caller;
  }

  /** Read before resolving a session; hand it back to `set`. */
  get generation(): number {
    return this.forgets;
  }

  set(token: string, caller: CachedCaller, sessionExpiresAt: Date, readAt = this.forgets): void {
    if (this.ttlMs <= 0 || readAt !== this.forgets) return;
    const until = Math.min(this.now() + this.ttlMs, sessionExpiresAt.getTime());
    if (until <= this.now()) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(token);
    this.entries.set(token, { caller, until });
  }

  /** Forget every cached session of this advisor (sign-out, revoke, password change…). */
  forgetAdvisor(advisorId: string): void {
    this.forgets += 1;
    for (const [token, entry] of this.entries) {
      if (entry.caller.advisorId === advisorId) this.entries.delete(token);
    }
  }

  clear(): void {
    this.forgets += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

// One cache per better-auth instance (one per app), found from the auth object the routes
// already receive, so no route signature has to change.
const caches = new WeakMap<Auth, SessionCache>();

export function attachSessionCache(auth: Auth, cache: SessionCache): void {
  caches.set(auth, cache);
}

export function sessionCacheOf(auth: Auth): SessionCache | null {
  return caches.get(auth) ?? null;
}

/**
 * The session token cookie's value from a Cookie header (better-auth names it
 * `better-auth.session_token`, with a `__Secure-` prefix over https), or null. With more than one
 * such cookie it is null too: better-auth reads the one its scheme names, which may not be the one
 * this would pick, and the cache would file the session better-auth found under another value.
 */
export function sessionTokenOf(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  let found: string | null = null;
  let count = 0;
  for (const part of cookieHeader.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (name === 'better-auth.session_token' || name === '__Secure-better-auth.session_token') {
      count += 1;
      const value = part.slice(i + 1).trim();
      found = value.length > 0 ? value : null;
    }
  }
  return count === 1 ? found : null;
}
