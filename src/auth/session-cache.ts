// The caches of resolved credentials (credential-cache.ts) an app keeps: dashboard sessions by
// their token, API keys by their hash, and the feed that makes a revocation reach every API
// process (revocation-feed.ts). SESSION_CACHE_TTL_MS=0 and API_KEY_CACHE_TTL_MS=0 turn each off.
import type { Auth } from './auth.js';
import { CredentialCache } from './credential-cache.js';
import type { RevocationFeed } from './revocation-feed.js';

export interface CachedCaller {
  advisorId: string;
  role: 'user' | 'admin';
  /** The admin impersonating the advisor in this session, if any. */
  impersonatedBy?: string | null;
}

export interface CachedApiKey {
  keyId: string;
  advisorId: string;
  role: 'user' | 'admin';
}

export class SessionCache extends CredentialCache<CachedCaller> {}

export class ApiKeyCache extends CredentialCache<CachedApiKey> {}

export interface CredentialCaches {
  sessions: SessionCache;
  apiKeys: ApiKeyCache;
  feed: RevocationFeed;
}

// One set per better-auth instance (one per app), found from the auth object the routes
// already receive, so no route signature has to change.
const caches = new WeakMap<Auth, CredentialCaches>();

export function attachCredentialCaches(auth: Auth, set: CredentialCaches): void {
  caches.set(auth, set);
}

export function credentialCachesOf(auth: Auth): CredentialCaches | null {
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
