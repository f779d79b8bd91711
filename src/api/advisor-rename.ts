// better-auth's update-user (the advisor's own) and admin/update-user (an admin's, for an advisor)
// may change the account's name, which planned appointment messages say (`{nombre_asesor}`).
// better-auth writes the row itself; the auth route (auth.route.ts) asks this, before passing
// the call on, whose name the call may change and what it is now, and runs the returned step
// after a successful answer: when the stored name is no longer the one read before, the planned
// messages are rendered again (rename-plans.ts). A call that changes only the image, or sends the
// same name again, renders nothing.
import type { FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import type { Auth } from '../auth/auth.js';
import { findAdvisorName } from '../db/repositories/advisor.repository.js';
import { renderPlansWithNewName } from '../domain/appointments/rename-plans.js';
import type { DomainContext } from '../domain/context.js';
import type { MessageQueue } from '../domain/messages/message-queue.js';
import type { SendOptions } from '../domain/messages/send-message.js';

type Fields = Record<string, unknown>;
const fieldsOf = (value: unknown): Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};

/**
 * The step to run after better-auth answered 2xx, or null when the call cannot change a name.
 * A failure of the step is thrown (the caller answers 500 with an errorId): the name is saved by
 * then, and the planned messages keep the old one until the next change of name.
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
  return async () => {
    if ((await findAdvisorName(ctx.db, advisorId)) === before) return;
    await renderPlansWithNewName(ctx, queue, advisorId, actor);
  };
}
