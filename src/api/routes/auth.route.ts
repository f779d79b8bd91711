// Mounts better-auth's own handler at /api/auth/* (there is no Fastify plugin: STACK.md gotcha 6).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { eq, sql } from 'drizzle-orm';
import { GATEWAY_UNAVAILABLE_AUTH_CODE, type Auth } from '../../auth/auth.js';
import { credentialCachesOf, sessionTokenOf } from '../../auth/session-cache.js';
import type { Database } from '../../db/client.js';
import { user } from '../../db/schema/index.js';
import { AppError, type ErrorCode } from '../../domain/app-error.js';
import type { DomainContext } from '../../domain/context.js';
import type { MessageQueue } from '../../domain/messages/message-queue.js';
import { advisorRenameStep } from '../advisor-rename.js';
import { adminAuthAudit } from '../audit-admin-auth-action.js';

/** better-auth's statuses, in the platform's codes (anything else 4xx is `invalid_request`). */
const AUTH_ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
};

// better-auth's codes for one field of the request, named as `details.fields` names them on every
// other route, so a form can put the error next to its field.
const AUTH_FIELD_OF_CODE: Record<string, string> = {
  INVALID_NAME: 'name',
  INVALID_IMAGE: 'image',
  INVALID_EMAIL: 'email',
  PASSWORD_TOO_SHORT: 'password',
  PASSWORD_TOO_LONG: 'password',
};

/**
 * better-auth's codes for an email address that already has an account (422 at sign-up, 400 on
 * the admin routes): a conflict with existing state, 409 `conflict` as API.md has it.
 */
const ACCOUNT_EXISTS = /^USER_ALREADY_EXISTS/;

/** A NUL in JSON text: `\u0000` not itself escaped (`\\u0000` is a backslash, then text). */
const JSON_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

export function authRoutes(
  app: FastifyInstance,
  auth: Auth,
  database: Pick<Database, 'ping'>,
  ctx: DomainContext,
  queue: MessageQueue,
): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    schema: { hide: true },
    handler: async (request, reply) => {
      const url = new URL(request.url, `http://${request.headers.host ?? 'localhost'}`);
      // The API key plugin's own routes would create, change and delete keys with no audit entry,
      // and take options /api/api-keys refuses (expiry, prefix): keys are managed there only.
      if (url.pathname.startsWith('/api/auth/api-key/')) {
        throw new AppError('not_found', 'No such route here: manage API keys with /api/api-keys.');
      }
      const hasBody = request.method !== 'GET' && request.body !== undefined;
      const body = hasBody ? JSON.stringify(request.body) : undefined;
      // PostgreSQL cannot store or even compare a NUL, and better-auth answers the query's failure
      // with a 500: a NUL in a name or image (update-user), a session token (revoke-session) or a
      // reset token (reset-password, open to anyone) was an "internal error". Refused up front, as
      // every other route refuses it (error-handler.ts, 22021). A NUL in the URL is refused in
      // build-app.ts already.
      if (body !== undefined && JSON_NUL.test(body)) {
        throw new AppError(
          'invalid_request',
          'The request contains a character that cannot be stored (NUL).',
        );
      }
      // Forgotten once better-auth is done: a request resolving the session meanwhile would cache
      // it again as it was before the change (SessionCache.generation).
      const forget =
        request.method === 'POST' ? await credentialsToForget(auth, url.pathname, request.headers) : null;
      // An admin's action on an account goes in its audit log: who calls is read now, since some
      // of these calls end the very session they come with (stop-impersonating).
      const audit =
        request.method === 'POST'
          ? await adminAuthAudit(auth, ctx, url.pathname, request.headers, request.body)
          : null;
      // A new name reaches the planned appointment messages (`{nombre_asesor}`) once better-auth
      // has written it: whose name is read now, and a name they could not be written with is
      // refused (422) before anything is saved.
      const renamed =
        request.method === 'POST'
          ? await advisorRenameStep(auth, ctx, queue, url.pathname, request.headers, request.body)
          : null;
      let response: Response | undefined;
      try {
        response = await auth.handler(
          new Request(url, { method: request.method, headers: fromNodeHeaders(request.headers), body }),
        );
      } finally {
        // A refused POST changed nothing: announcing it would let anyone empty every process's
        // caches with a stream of refused admin calls. One that threw may have changed something.
        if (!response || response.status < 400) await forget?.();
      }
      // better-auth turns every failure into its own 500, a database outage included; a caller
      // must get the documented 503 for that, as on every other route.
      if (
        response.status >= 500 &&
        (await database.ping().then(
          () => false,
          () => true,
        ))
      ) {
        throw new AppError('database_unavailable', 'The database is unavailable; try again shortly.');
      }
      const text = await response.text();
      // Only what better-auth did: a refused call (4xx, 5xx) changed nothing to record.
      if (audit && response.status >= 200 && response.status < 300) await audit(text);
      // The name is saved by now, so a failure here does not turn the answer into an error: the
      // change's mark stays, and the outbox sweeper renders the planned messages (rename-plans.ts).
      if (renamed && response.status >= 200 && response.status < 300) {
        await renamed().catch((err: Error) =>
          request.log.warn(
            { err: err.message },
            'planned messages not rendered with the new name yet; the outbox sweeper will',
          ),
        );
      }
      let detail = response.status >= 400 ? authErrorOf(text) : {};
      // better-auth checks that the address is free, then writes the account: requests racing for
      // one address (a double click on the form) all pass the check, and the losers break the
      // email's unique index, answered 422 FAILED_TO_CREATE_USER at sign-up and 500 on create-user.
      // The address has an account by then: the same 409 as for one taken earlier.
      if (
        (detail.code === 'FAILED_TO_CREATE_USER' || response.status >= 500) &&
        ACCOUNT_CREATING_PATHS.has(url.pathname) &&
        (await accountHoldsEmail(ctx, request.body))
      ) {
        detail = {
          code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
          message: 'User already exists. Use another email.',
        };
      }
      const status = detail.code && ACCOUNT_EXISTS.test(detail.code) ? 409 : response.status;
      reply.status(status);
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header('set-cookie', cookies);
      if (status >= 400) {
        // Keep the platform's error body shape on auth failures too.
        const code =
          detail.code === GATEWAY_UNAVAILABLE_AUTH_CODE
            ? 'gateway_unavailable'
            : (AUTH_ERROR_CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request'));
        reply.header('content-type', 'application/json');
        const message = detail.message ?? response.statusText;
        const field = detail.code ? AUTH_FIELD_OF_CODE[detail.code] : undefined;
        return reply.send({
          error: {
            code,
            message,
            details: { authCode: detail.code ?? null, ...(field ? { fields: [{ field, message }] } : {}) },
          },
        });
      }
      return reply.send(text.length ? text : null);
    },
  });
}

/** The routes that create an account for the `email` of their body. */
const ACCOUNT_CREATING_PATHS = new Set(['/api/auth/sign-up/email', '/api/auth/admin/create-user']);

/** Whether an account holds the body's `email` (any case, as better-auth stores it lower-cased). */
async function accountHoldsEmail(ctx: DomainContext, body: unknown): Promise<boolean> {
  const email = body !== null && typeof body === 'object' ? (body as { email?: unknown }).email : undefined;
  if (typeof email !== 'string' || email.length === 0) return false;
  const rows = await ctx.db
    .select({ id: user.id })
    .from(user)
    .where(eq(sql`lower(${user.email})`, email.toLowerCase()))
    .limit(1);
  return rows.length > 0;
}

/** better-auth's error body (`{ code, message }`), or nothing when it is not JSON. */
function authErrorOf(text: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object'
      ? (parsed as { code?: string; message?: string })
      : {};
  } catch {
    return {};
  }
}

/**
 * A POST to better-auth may end or change sessions (sign-out, revoke, password change, an admin
 * banning someone): every API process stops reusing the caller's cached credentials, sessions and
 * API keys alike — everyone's, for an admin action, whose target we do not parse
 * (revocation-feed.ts). Whose credentials is worked out before the POST (a sign-out deletes the
 * session it names); the returned step forgets them, and is run once the POST is done.
 */
async function credentialsToForget(
  auth: Auth,
  path: string,
  headers: FastifyRequest['headers'],
): Promise<(() => Promise<void>) | null> {
  const caches = credentialCachesOf(auth);
  if (!caches) return null;
  const { sessions, feed } = caches;
  if (path.startsWith('/api/auth/admin/')) return () => feed.revoked(null);
  const token = sessionTokenOf(headers.cookie);
  const advisorId = token
    ? (sessions.get(token)?.advisorId ??
      (await auth.api.getSession({ headers: fromNodeHeaders(headers) }).catch(() => null))?.user.id)
    : undefined;
  if (advisorId) return () => feed.revoked(advisorId);
  // No session of the caller's. Signing in or up ends nothing, nor does signing out (better-auth
  // answers an anonymous sign-out 200: announcing it let anyone empty every process's caches);
  // anything else (a password reset by its emailed link) may end sessions of an advisor this
  // cannot tell, so everyone's go.
  if (/^\/api\/auth\/(sign-(in|up)\/|sign-out$)/.test(path)) return null;
  return () => feed.revoked(null);
}
