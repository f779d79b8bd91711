// The API-key check of every request made with x-api-key (src/auth/api-key-check.ts): one read
// of the key by its hash together with its owner's role, and the throttled "last used" stamp.
// Concurrent checks share one read (coalesce.ts): each still reads the key after its request
// arrived, so a key revoked before it is refused. Keys the API-key cache holds skip this read
// (src/auth/credential-cache.ts): a revocation through the service forgets them first.
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { sharedStatement } from '../coalesce.js';
import { preparedOnce } from '../prepared.js';
import { apikey, user } from '../schema/index.js';

export interface ApiKeyForCheck {
  id: string;
  ownerId: string;
  ownerRole: string | null;
  ownerBanned: boolean | null;
  ownerBanExpires: Date | null;
  enabled: boolean | null;
  expiresAt: Date | null;
  remaining: number | null;
  lastRequest: Date | null;
}

/** The keys stored under this hash (one, unless hashes collide), with their owner's role. */
export async function findApiKeysByHash(db: DbOrTx, hashedKey: string): Promise<ApiKeyForCheck[]> {
  return sharedStatement(db, 'api_keys_by_hash', readKeysByHash)(hashedKey);
}

/** The keys stored under each hash, in the order of `hashes`. */
async function readKeysByHash(db: DbOrTx, hashes: string[]): Promise<ApiKeyForCheck[][]> {
  const statement = preparedOnce(db, 'ww_api_keys_by_hash', (d) =>
    d
      .select({
        hash: apikey.key,
        id: apikey.id,
        ownerId: apikey.referenceId,
        ownerRole: user.role,
        ownerBanned: user.banned,
        ownerBanExpires: user.banExpires,
        enabled: apikey.enabled,
        expiresAt: apikey.expiresAt,
        remaining: apikey.remaining,
        lastRequest: apikey.lastRequest,
      })
      .from(apikey)
      .innerJoin(user, eq(user.id, apikey.referenceId))
      .where(sql`${apikey.key} = any(${sql.placeholder('hashes')}::text[])`)
      .prepare('ww_api_keys_by_hash'),
  );
  const byHash = new Map<string, ApiKeyForCheck[]>();
  for (const { hash, ...row } of await statement.execute({ hashes: [...new Set(hashes)] })) {
    const rows = byHash.get(hash) ?? [];
    rows.push(row);
    byHash.set(hash, rows);
  }
  return hashes.map((hash) => byHash.get(hash) ?? []);
}

/** Stamps the key as used now, unless another request did so since `staleBefore`. */
export async function touchApiKey(db: DbOrTx, id: string, now: Date, staleBefore: Date): Promise<void> {
  await db
    .update(apikey)
    .set({ lastRequest: now })
    .where(and(eq(apikey.id, id), or(isNull(apikey.lastRequest), lt(apikey.lastRequest, staleBefore))));
}
