// better-auth's update-user (the advisor's own) and admin/update-user (an admin's, for an advisor)
// may change the account's name, which planned appointment messages say (`{nombre_asesor}`).
// better-auth writes the row itself, and a trigger marks the change with it (migration 0024). The
// auth route (auth.route.ts) asks this, before passing the call on, whose name the call may change:
// a name a planned message could not be written with is refused here, while nothing is saved yet.
// After a successful answer the route runs the returned step, which renders the planned messages
// when the call left a mark (rename-plans.ts): a call that changes only the image, or sends the same
// name again, renders nothing.
import type { FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { acceptedName, type Auth } from '../auth/auth.js';
import type { Db } from '../db/client.js';
import { findAdvisorName } from '../db/repositories/advisor.repository.js';
import { renderPlansAfterRename } from '../domain/appointments/rename-plans.js';
import { assertPlansRenderWithName } from '../domain/appointments/rerender-planned-messages.js';
import type { DomainContext } from '../domain/context.js';
import type { MessageQueue } from '../domain/messages/message-queue.js';
import type { SendOptions } from '../domain/messages/send-message.js';

type Fields = Record<string, unknown>;
const fieldsOf = (value: unknown): Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};

/**
 * The step to run after better-auth answered 2xx, or null when the call cannot change a name.
 * Throws the 422 of a new name some planned message could not be written with. A failure of the
 * step leaves the change's mark, which the outbox sweeper renders.
 */
export async function advisorRenameStep(
  auth: Auth,
  ctx: DomainContext,
  queue: MessageQueue,
  path: string,
  headers: FastifyRequest['headers'],
  requestBody: unknown,
): Promise<(() => Promise<void>) | null> {
  const body = fieldsOf(requestBody);
  const self = path === '/api/auth/update-user' && body.name !== undefined;
  const byAdmin =
    path === '/api/auth/admin/update-user' &&
    typeof body.userId === 'string' &&
    fieldsOf(body.data).name !== undefined;
  if (!self && !byAdmin) return null;
  const caller = await auth.api.getSession({ headers: fromNodeHeaders(headers) }).catch(() => null);
  if (!caller) return null; // better-auth refuses the call
  const impersonatedBy = (caller.session as { impersonatedBy?: string | null }).impersonatedBy ?? null;
  const advisorId = self ? caller.user.id : (body.userId as string);
  const actor: SendOptions['actor'] =
    self && !impersonatedBy
      ? { type: 'advisor', id: caller.user.id }
      : { type: 'admin', id: impersonatedBy ?? caller.user.id };
  const before = await findAdvisorName(ctx.db, advisorId);
  if (before === null) return null; // no such account: nothing planned
  // As better-auth will store it; one it refuses itself (null) is left to its own 422.
  const name = acceptedName(self ? body.name : fieldsOf(body.data).name);
  if (name !== null && name !== before) {
    await ctx.db.transaction((tx) =>
      assertPlansRenderWithName({ ...ctx, db: tx as unknown as Db }, advisorId, name),
    );
  }
  return async () => {
    await renderPlansAfterRename(ctx, queue, advisorId, actor);
  };
}
