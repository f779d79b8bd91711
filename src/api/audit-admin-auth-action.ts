// better-auth's admin routes (/api/auth/admin/*, proxied by auth.route.ts) act on an advisor's
// account outside this service's own routes: a ban, the role, an impersonation (which reads the
// advisor's clients' messages), the password, the sessions, the account itself. They left no
// trace in the advisor's audit log. Each one that succeeded is now an entry there, by the admin,
// like an admin's feature switch. What an entry holds comes from better-auth's answer (what it
// stored: the ban's reason and expiry, the role) and is never a secret: no password, no session
// token, and only the names of the fields update-user changed.
//
// remove-user deletes the advisor's log with the account (audit_log.advisor_id cascades), so it
// goes in the acting admin's own log instead, naming the removed account by its id only.
import type { FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { eq } from 'drizzle-orm';
import type { Auth } from '../auth/auth.js';
import { session, user } from '../db/schema/index.js';
import type { DomainContext } from '../domain/context.js';
import { recordAdminAction, type AdminAction } from './audit-account-action.js';

type Ctx = Pick<DomainContext, 'db' | 'logger'>;
type Fields = Record<string, unknown>;

/** What is known before better-auth runs: who calls, and what the call will have deleted. */
interface Before {
  /** The admin: the session's user, or the admin impersonating them (stop-impersonating). */
  adminId: string;
  /** The session's user: the advisor, in an impersonation session. */
  sessionUserId: string;
  /** revoke-user-session names a token only; its owner is read while the session still exists. */
  revoked?: { id: string; userId: string } | null;
}

interface Audited {
  action: AdminAction;
  /** Whose log; nothing when the call did nothing to anyone. */
  target(body: Fields, answer: Fields, before: Before): string | undefined;
  content?(body: Fields, answer: Fields, before: Before): Fields;
  /** better-auth answers 200 for an unknown account here: write only for one that exists. */
  unchecked?: true;
}

const AUDITED: Record<string, Audited> = {
  'ban-user': {
    action: 'admin.ban',
    target: (_b, answer) => idOf(userIn(answer)),
    content: (_b, answer) => ({
      reason: userIn(answer).banReason ?? null,
      expiresAt: userIn(answer).banExpires ?? null,
    }),
  },
  'unban-user': { action: 'admin.unban', target: (_b, answer) => idOf(userIn(answer)) },
  'set-role': {
    action: 'admin.set_role',
    target: (_b, answer) => idOf(userIn(answer)),
    content: (_b, answer) => ({ role: userIn(answer).role ?? null }),
  },
  'impersonate-user': {
    action: 'admin.impersonate',
    target: (_b, answer) => idOf(userIn(answer)),
    // When the impersonation ends by itself; the session's token stays out.
    content: (_b, answer) => ({ expiresAt: fieldsOf(answer.session).expiresAt ?? null }),
  },
  // The caller is the impersonation session: the advisor's, opened by the admin.
  'stop-impersonating': {
    action: 'admin.stop_impersonating',
    target: (_b, _a, before) => before.sessionUserId,
  },
  'set-user-password': { action: 'admin.set_password', target: (body) => idOf(body.userId) },
  'revoke-user-session': {
    action: 'admin.revoke_session',
    target: (_b, _a, before) => before.revoked?.userId,
    content: (_b, _a, before) => ({ sessionId: before.revoked?.id }),
  },
  // Read-only, but its answer carries every session's token, and a token acts as the advisor
  // with no impersonation on record: who read them is written down (how many, never the tokens).
  'list-user-sessions': {
    action: 'admin.list_sessions',
    target: (body) => idOf(body.userId),
    content: (_b, answer) => ({ sessions: Array.isArray(answer.sessions) ? answer.sessions.length : 0 }),
    unchecked: true,
  },
  'revoke-user-sessions': {
    action: 'admin.revoke_sessions',
    target: (body) => idOf(body.userId),
    unchecked: true,
  },
  'update-user': {
    action: 'admin.update_user',
    target: (_b, answer) => idOf(answer.id),
    content: (body) => ({ fields: Object.keys(fieldsOf(body.data)).sort() }),
  },
  'create-user': {
    action: 'admin.create_user',
    target: (_b, answer) => idOf(userIn(answer)),
    content: (body, answer) => ({ role: userIn(answer).role ?? null, withPassword: !!body.password }),
  },
  'remove-user': {
    action: 'admin.remove_user',
    target: (_b, _a, before) => before.adminId,
    content: (body) => ({ userId: idOf(body.userId) }),
  },
};

const ADMIN_PATH = '/api/auth/admin/';

/**
 * Before a POST to better-auth: for an audited admin route, what the entry needs that the call
 * itself may delete (the caller's session, a revoked session's owner), and the step that writes
 * the entry from a successful (2xx) answer. Null for any other route, or with no session (then
 * better-auth refuses the call). The step never throws: a failure is logged and the action stands.
 */
export async function adminAuthAudit(
  auth: Auth,
  ctx: Ctx,
  path: string,
  headers: FastifyRequest['headers'],
  requestBody: unknown,
): Promise<((answerText: string) => Promise<void>) | null> {
  const audited = path.startsWith(ADMIN_PATH) ? AUDITED[path.slice(ADMIN_PATH.length)] : undefined;
  if (!audited) return null;
  const caller = await auth.api.getSession({ headers: fromNodeHeaders(headers) }).catch(() => null);
  if (!caller) return null;
  const body = fieldsOf(requestBody);
  const impersonatedBy = (caller.session as { impersonatedBy?: string | null }).impersonatedBy ?? null;
  const before: Before = {
    adminId: impersonatedBy ?? caller.user.id,
    sessionUserId: caller.user.id,
    revoked:
      audited.action === 'admin.revoke_session' && typeof body.sessionToken === 'string'
        ? await sessionByToken(ctx, body.sessionToken).catch((err: unknown) => {
            // Not a reason to refuse the revocation: it goes ahead, unaudited, and says so.
            ctx.logger.warn({ err: (err as Error).message }, 'audit entry not written: session not read');
            return null;
          })
        : undefined,
  };
  return async (answerText) => {
    try {
      const answer = fieldsOf(JSON.parse(answerText));
      const advisorId = audited.target(body, answer, before);
      if (!advisorId || (audited.unchecked && !(await accountExists(ctx, advisorId)))) return;
      if (audited.action === 'admin.remove_user') {
        // The removed account's own log went with it: the operator's log keeps it too.
        ctx.logger.info(
          { adminId: before.adminId, userId: idOf(body.userId) },
          'account removed by an admin',
        );
      }
      await recordAdminAction(
        ctx,
        before.adminId,
        advisorId,
        audited.action,
        audited.content?.(body, answer, before) ?? {},
      );
    } catch (err) {
      ctx.logger.warn(
        { adminId: before.adminId, action: audited.action, err: (err as Error).message },
        'audit entry not written',
      );
    }
  };
}

async function sessionByToken(ctx: Ctx, token: string): Promise<Before['revoked']> {
  const [row] = await ctx.db
    .select({ id: session.id, userId: session.userId })
    .from(session)
    .where(eq(session.token, token))
    .limit(1);
  return row ?? null;
}

async function accountExists(ctx: Ctx, id: string): Promise<boolean> {
  const rows = await ctx.db.select({ id: user.id }).from(user).where(eq(user.id, id)).limit(1);
  return rows.length > 0;
}

function fieldsOf(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

const userIn = (answer: Fields): Fields => fieldsOf(answer.user);

/** An account id as better-auth reads it (its schemas coerce `userId` to a string). */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  const id = fieldsOf(value).id;
  return typeof id === 'string' ? id : undefined;
}
