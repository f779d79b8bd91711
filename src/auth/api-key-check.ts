// Every request made with x-api-key checks its key: from this process's cache of keys checked in
// the last API_KEY_CACHE_TTL_MS (credential-cache.ts; a key revoked, disabled or changed through
// the service is forgotten by every API process at once, and one expiring is never served past
// its expiry), or against the database. The database check is one
// prepared read instead of better-auth's verifyApiKey, which on every request ran four statements,
// one of them an UPDATE of the key's `lastRequest` (so all of a key's concurrent requests queued on
// that row's lock), and took the API's CPU per POST /send from 1.9 to 3.7 ms: with an API key the
// pipeline went at about half the rate it reached with a session (docs/BENCHMARKS.md, 2026-12-01).
//
// The read accepts only what verifyApiKey accepts under our configuration (one configuration,
// keys hashed with better-auth's own hasher, rate limiting off, no permissions asked, no custom
// validator): a key found by its hash, enabled, not expired, without a usage quota, whose owner
// exists. Anything else is handed to verifyApiKey itself, which gives the refusal its reason and
// does its housekeeping (it deletes an expired key). `lastRequest` is still kept, to the minute (and
// the cache's TTL: a key served from the cache is not stamped).
// One check verifyApiKey never made: a key whose owner an admin has banned is refused (the ban
// already ends the owner's sessions; without this their keys went on sending).
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.js';
import { findApiKeysByHash, touchApiKey } from '../db/repositories/api-key.repository.js';
import { isBanned } from '../domain/account-ban.js';
import type { ApiKeyCache, CachedApiKey } from './session-cache.js';

export type CheckedApiKey = CachedApiKey;

/**
 * The key's stored form, as better-auth's defaultKeyHasher computes it (SHA-256, base64url without
 * padding), with node:crypto in one synchronous call instead of Web Crypto's asynchronous digest,
 * whose round trip through the thread pool was a few per cent of the API's CPU on every request
 * made with a key. api-key-check.test.ts holds the two to the same output.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url');
}

/** How stale `lastRequest` may get before a request writes it again. */
export const LAST_REQUEST_RESOLUTION_MS = 60_000;

/**
 * The key's owner when the key is good, `owner_banned` when its owner is banned, null when
 * verifyApiKey must decide.
 */
export async function checkApiKey(
  db: Db,
  key: string,
  now = new Date(),
  cache: ApiKeyCache | null = null,
): Promise<CheckedApiKey | 'owner_banned' | null> {
  const hash = hashApiKey(key);
  const cached = cache?.get(hash);
  if (cached) return cached;
  const generation = cache?.generation;
  const rows = await findApiKeysByHash(db, hash);
  if (rows.length !== 1) return null;
  const row = rows[0]!;
  if (row.enabled === false) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return null;
  if (row.remaining !== null) return null;
  if (isBanned({ banned: row.ownerBanned, banExpires: row.ownerBanExpires }, now)) return 'owner_banned';
  const staleBefore = new Date(now.getTime() - LAST_REQUEST_RESOLUTION_MS);
  if (!row.lastRequest || row.lastRequest < staleBefore) await touchApiKey(db, row.id, now, staleBefore);
  const checked: CheckedApiKey = {
    keyId: row.id,
    advisorId: row.ownerId,
    role: row.ownerRole === 'admin' ? 'admin' : 'user',
  };
  // A banned owner's key was refused above, uncached; a ban made later is an admin action, which
  // empties every process's cache.
  cache?.set(hash, checked, row.expiresAt, generation);
  return checked;
}
