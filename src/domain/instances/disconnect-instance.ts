// POST /api/whatsapp/disconnect (log the number out, keep the instance and history) and
// DELETE /api/whatsapp/config (delete the instance and its secrets, keep history). Both
// tolerate a gateway that already forgot the instance.
import {
  findConfig,
  recordConnectionEvent,
  transitionConfig,
} from '../../db/repositories/whatsapp-config.repository.js';
import { isGatewayError } from '../../gateway/index.js';
import { notFound } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import { instanceRefOf } from './instance-credentials.js';
import { viaGateway } from './gateway-failure.js';
import { NO_QR } from './qr-image.js';

/** How long a remove waits for the gateway to release the instance's name (see below). */
export const NAME_RELEASE_WAIT_MS = 10_000;
const NAME_RELEASE_POLL_MS = 150;

const forgotten = (err: unknown) =>
  isGatewayError(err) && (err.code === 'instance_not_found' || err.code === 'not_connected');

/** The row of a number the advisor logged out: no QR, and no alert (nothing went wrong). */
const loggedOutByAdvisor = (ctx: DomainContext) => ({
  status: 'disconnected' as const,
  ...NO_QR,
  alert: null,
  lastStatusAt: nowOf(ctx),
});

export async function disconnectInstance(
  ctx: DomainContext,
  advisorId: string,
): Promise<{ status: 'disconnected' }> {
  const row = await findConfig(ctx.db, advisorId);
  const ref = row ? instanceRefOf(ctx.box, row) : null;
  // A connect the gateway failed leaves the instance's name and credentials claimed on a row
  // still `not_configured`: no number was ever linked, so there is nothing to log out. It was
  // answered 200 and recorded "disconnected by the advisor" for a connection that never was.
  if (!row || !ref || row.status === 'not_configured') throw notFound('WhatsApp connection');
  await viaGateway('logging out', async () => {
    try {
      await ctx.gateway.logout(ref);
    } catch (err) {
      // Already closed (400 "not connected") or already gone: the goal is reached.
      if (!forgotten(err) && !(isGatewayError(err) && err.code === 'bad_request')) throw err;
    }
  });
  // Only while the row still names the instance just logged out: a remove that ran during the
  // logout cleared it, and "disconnected" written over that would show a connection with no
  // instance as a number logged out. The connection is gone: 404, as after the remove.
  const applied = await transitionConfig(ctx.db, advisorId, loggedOutByAdvisor(ctx), {
    instanceName: ref.instanceName,
  });
  if (!applied) throw notFound('WhatsApp connection');
  // The history records changes: a second disconnect (another tab, a double click) is none.
  if (applied.changed) await recordConnectionEvent(ctx.db, advisorId, 'disconnected', 'advisor');
  await ctx.events.publish(advisorId, { type: 'status', data: { status: 'disconnected', alert: null } });
  return { status: 'disconnected' };
}

/**
 * Evolution answers the delete at once and removes the instance afterwards (it first delivers the
 * REMOVE_INSTANCE webhook, retries included): until then the name is taken and the old instance is
 * still listed. A connect made meanwhile would find the name taken and adopt the dying instance,
 * whose QR then vanishes with it. So the remove ends when the gateway no longer lists the name,
 * or after NAME_RELEASE_WAIT_MS (then the next connect may still meet the old instance; logged).
 */
async function nameReleased(ctx: DomainContext, advisorId: string, instanceName: string): Promise<void> {
  const until = Date.now() + NAME_RELEASE_WAIT_MS;
  for (;;) {
    const listed = await ctx.gateway.fetchInstance(instanceName).catch(() => null);
    if (!listed) return;
    if (Date.now() >= until) {
      ctx.logger.warn(
        { advisorId, instanceName, waitedMs: NAME_RELEASE_WAIT_MS },
        'the gateway still lists the deleted instance; removing it on our side anyway',
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, NAME_RELEASE_POLL_MS));
  }
}

/**
 * Before an account is deleted: its instance, if it has one, is removed from the gateway as by
 * DELETE /api/whatsapp/config (a gateway failure throws, 503, and the account stays).
 */
export async function removeInstanceOfRemovedAccount(ctx: DomainContext, advisorId: string): Promise<void> {
  const row = await findConfig(ctx.db, advisorId);
  if (!row || !instanceRefOf(ctx.box, row)) return;
  await removeInstance(ctx, advisorId);
}

export async function removeInstance(ctx: DomainContext, advisorId: string): Promise<void> {
  const row = await findConfig(ctx.db, advisorId);
  if (!row) throw notFound('WhatsApp connection');
  const ref = instanceRefOf(ctx.box, row);
  if (ref) {
    const deleted = await viaGateway('removing the instance', async () => {
      try {
        await ctx.gateway.deleteInstance(ref);
        return true;
      } catch (err) {
        if (!forgotten(err)) throw err;
        return false;
      }
    });
    if (deleted) {
      // Evolution logs a linked or connecting instance out before deleting it, and reports that
      // as close 401 and LOGOUT_INSTANCE, which arrive during the wait below: read as the phone's,
      // they pushed "your phone logged out" and recorded a logout in the history. Marked as the
      // advisor's own disconnect first (no alert; nothing recorded or pushed, the removal below
      // is), they change nothing, as after disconnectInstance.
      if (row.status !== 'not_configured') {
        await transitionConfig(ctx.db, advisorId, loggedOutByAdvisor(ctx), {
          instanceName: ref.instanceName,
        });
      }
      await nameReleased(ctx, advisorId, ref.instanceName);
    }
  }
  // Written whatever the status (the credentials go in any case), but recorded in the history only
  // when the status changed here: a second remove (concurrent, or of a connection never linked)
  // used to add another "removed" each time.
  const removed = await transitionConfig(ctx.db, advisorId, {
    status: 'not_configured',
    instanceName: null,
    instanceTokenEnc: null,
    webhookSecretEnc: null,
    phoneNumber: null,
    profileName: null,
    ...NO_QR,
    alert: null,
    connectedAt: null,
    lastStatusAt: nowOf(ctx),
  });
  if (removed?.changed) await recordConnectionEvent(ctx.db, advisorId, 'not_configured', 'removed');
  await ctx.events.publish(advisorId, { type: 'status', data: { status: 'not_configured' } });
}
