// Resolves who is calling: an advisor's session cookie, or an API key (x-api-key) acting as the
// advisor who created it. The advisor id used by every repository call comes only from here.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { checkApiKey } from '../../auth/api-key-check.js';
import { isBanned } from '../../domain/account-ban.js';
import type { Auth } from '../../auth/auth.js';
import { credentialCachesOf, sessionTokenOf, type CachedCaller } from '../../auth/session-cache.js';
import { eq } from 'drizzle-orm';
import { AppError } from '../../domain/app-error.js';
import { markCredentialVerified } from './api-rate-limit.js';
import type { Db } from '../../db/client.js';
import { user } from '../../db/schema/index.js';

export interface Caller {
  advisorId: string;
  role: 'user' | 'admin';
  /**
   * Who acts: the advisor, one of their API keys, or a platform admin impersonating the advisor
   * (better-auth's admin plugin), so the audit log names the admin rather than the advisor.
   */
  actor: { type: 'advisor' | 'api_key' | 'admin'; id: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export async function resolveCaller(auth: Auth, db: Db, request: FastifyRequest): Promise<Caller | null> {
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) {
    const checked = await checkApiKey(db, key, new Date(), credentialCachesOf(auth)?.apiKeys ?? null);
    if (checked === 'owner_banned') throw ownerBanned();
    if (checked) {
      return {
        advisorId: checked.advisorId,
        role: checked.role,
        actor: { type: 'api_key', id: checked.keyId },
      };
    }
    // Refused, or a case the quick check leaves to better-auth: it decides, with its reason.
    const result = await auth.api.verifyApiKey({ body: { key } });
    if (!result.valid || !result.key)
      throw new AppError('unauthorized', 'The API key is invalid or revoked.');
    const owner = result.key.referenceId;
    const [owner_] = await db
      .select({ role: user.role, banned: user.banned, banExpires: user.banExpires })
      .from(user)
      .where(eq(user.id, owner))
      .limit(1);
    if (!owner_)
      throw new AppError('unauthorized', 'The API key belongs to an account that no longer exists.');
    if (isBanned(owner_, new Date())) throw ownerBanned();
    return {
      advisorId: owner,
      role: owner_.role === 'admin' ? 'admin' : 'user',
      actor: { type: 'api_key', id: result.key.id },
    };
  }
  if (!request.headers.cookie && !request.headers.authorization) return null;
  // Only a plain cookie session is cached (src/auth/credential-cache.ts says how revocations reach it).
  const cache = request.headers.authorization ? null : (credentialCachesOf(auth)?.sessions ?? null);
  const token = cache ? sessionTokenOf(request.headers.cookie) : null;
  const cached = token ? cache!.get(token) : null;
  if (cached) return { advisorId: cached.advisorId, role: cached.role, actor: actorOfSession(cached) };

  const generation = cache?.generation;
  const session = await auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
  if (!session) return null;
  const role = (session.user as { role?: string | null }).role === 'admin' ? 'admin' : 'user';
  const impersonatedBy = (session.session as { impersonatedBy?: string | null }).impersonatedBy ?? null;
  // An impersonation session belongs to the advisor (better-auth: userId = the advisor), so
  // banning, demoting or removing the admin who opened it ends none of it: it went on acting as
  // the advisor for the rest of its hour. It holds only while that admin may still impersonate.
  if (impersonatedBy && !(await mayImpersonate(db, impersonatedBy))) {
    throw new AppError(
      'unauthorized',
      'The administrator who opened this impersonation session no longer has admin access.',
    );
  }
  const resolved: CachedCaller = { advisorId: session.user.id, role, impersonatedBy };
  if (token) cache!.set(token, resolved, new Date(session.session.expiresAt), generation);
  return { advisorId: session.user.id, role, actor: actorOfSession(resolved) };
}

function actorOfSession(session: { advisorId: string; impersonatedBy?: string | null }): Caller['actor'] {
  return session.impersonatedBy
    ? { type: 'admin', id: session.impersonatedBy }
    : { type: 'advisor', id: session.advisorId };
}

/** Whether this account is still a platform admin, not banned: one who may impersonate. */
async function mayImpersonate(db: Db, adminId: string): Promise<boolean> {
  const [admin] = await db
    .select({ role: user.role, banned: user.banned, banExpires: user.banExpires })
    .from(user)
    .where(eq(user.id, adminId))
    .limit(1);
  return admin !== undefined && admin.role === 'admin' && !isBanned(admin, new Date());
}

function ownerBanned(): AppError {
  return new AppError('unauthorized', 'The account this API key belongs to is suspended.');
}

/**
 * Hook factory: the route needs an authenticated advisor (or admin). Routes install it as their
 * `preParsing` hook, the one stage that is both
 * - after `onRequest`, where the API rate limit counts the request (@fastify/rate-limit appends
 *   its hook to each route's own `onRequest` list, so an `onRequest` check would run first and a
 *   refused credential would never be counted), and
 * - before the body is read and the schemas run: a caller without credentials gets 401, never a
 *   400 listing the route's fields, an `invalid_json`, a 413 or a 415.
 */
export function requireCaller(auth: Auth, db: Db, options: { admin?: boolean } = {}) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.caller = await resolveCaller(auth, db, request);
    if (!request.caller) throw new AppError('unauthorized', 'Sign in or send a valid x-api-key header.');
    markCredentialVerified(request);
    await refuseForeignOrigin(auth, request, request.caller);
    if (options.admin && request.caller.role !== 'admin') {
      throw new AppError('forbidden', 'This needs a platform administrator.');
    }
  };
}

/** Methods a page of another origin may not make with the advisor's cookie. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The cookie goes with every request the browser makes to this host, whichever page makes it
 * (SameSite=Lax only keeps it off other *sites*: another port of the host or a sibling subdomain is
 * the same site). A body-less POST needs no preflight, so a page of another origin could disconnect
 * the advisor's number, cancel or retry their messages with it; better-auth refuses such a request
 * to /api/auth/* (its Origin check), and every other route now does the same. A browser names the
 * Origin on every cross-origin POST; a request without one (a server, curl) is not a browser's.
 */
async function refuseForeignOrigin(auth: Auth, request: FastifyRequest, caller: Caller): Promise<void> {
  if (caller.actor.type === 'api_key' || SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (origin !== 'null' && (await auth.$context).isTrustedOrigin(origin)) return;
  throw new AppError(
    'forbidden',
    `This request comes from a page of another origin (${origin}): open the dashboard at its own address.`,
    { authCode: 'INVALID_ORIGIN' },
  );
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new AppError('unauthorized', 'Sign in or send a valid x-api-key header.');
  return request.caller;
}
