// Account actions in the audit log, next to the sends: who connected, disconnected or removed the
// number, changed the settings, resumed paused sends, or created or revoked an API key, and a
// platform admin's changes to the account (its feature switches, and better-auth's admin routes:
// audit-admin-auth-action.ts). Written
// after the action succeeded; a failure to write it is logged and never undoes or fails the
// action the advisor already saw happen.
import type { FastifyRequest } from 'fastify';
import { insertAudit } from '../db/repositories/audit.repository.js';
import type { DomainContext } from '../domain/context.js';
import { callerOf } from './plugins/caller.js';

export type AccountAction =
  | 'instance.connect'
  | 'instance.disconnect'
  | 'instance.remove'
  | 'settings.update'
  | 'sending.resume'
  | 'api_key.create'
  | 'api_key.revoke';

export async function auditAccountAction(
  ctx: Pick<DomainContext, 'db' | 'logger'>,
  request: FastifyRequest,
  action: AccountAction,
  content: Record<string, unknown> = {},
): Promise<void> {
  const { advisorId, actor } = callerOf(request);
  await insertAudit(ctx.db, advisorId, { actorType: actor.type, actorId: actor.id, action, content }).catch(
    (err: unknown) =>
      ctx.logger.warn({ advisorId, action, err: (err as Error).message }, 'audit entry not written'),
  );
}

/**
 * A platform admin's actions on an advisor's account: their feature switches (admin.route.ts),
 * and better-auth's admin routes (audit-admin-auth-action.ts says what each one records).
 */
export type AdminAction =
  | 'features.update'
  | 'admin.ban'
  | 'admin.unban'
  | 'admin.set_role'
  | 'admin.impersonate'
  | 'admin.stop_impersonating'
  | 'admin.set_password'
  | 'admin.revoke_session'
  | 'admin.revoke_sessions'
  | 'admin.list_sessions'
  | 'admin.update_user'
  | 'admin.create_user'
  | 'admin.remove_user';

/**
 * A platform admin's change to another advisor's account, in that advisor's log: the admin is
 * the actor (their user id, whether they called with a session or one of their API keys).
 */
export async function auditAdminAction(
  ctx: Pick<DomainContext, 'db' | 'logger'>,
  request: FastifyRequest,
  advisorId: string,
  action: AdminAction,
  content: Record<string, unknown> = {},
): Promise<void> {
  await recordAdminAction(ctx, callerOf(request).advisorId, advisorId, action, content);
}

/** The same, for a caller this service did not resolve itself (better-auth's own routes). */
export async function recordAdminAction(
  ctx: Pick<DomainContext, 'db' | 'logger'>,
  adminId: string,
  advisorId: string,
  action: AdminAction,
  content: Record<string, unknown> = {},
): Promise<void> {
  await insertAudit(ctx.db, advisorId, { actorType: 'admin', actorId: adminId, action, content }).catch(
    (err: unknown) =>
      ctx.logger.warn({ advisorId, adminId, action, err: (err as Error).message }, 'audit entry not written'),
  );
}
