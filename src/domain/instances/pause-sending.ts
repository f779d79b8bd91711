// The automatic pause after a burst of failed sends (account safety), and the advisor's resume.
// The pause lives in whatsapp_config.alert, in PostgreSQL: the dashboard shows it like the
// logout alert, every worker reads it with the config row it loads anyway, and Redis losing its
// data cannot silently lift it. Reconnecting clears the alert too, so a reconnect resumes.
import { findConfig, replaceAlert } from '../../db/repositories/whatsapp-config.repository.js';
import type { GatewayError } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';

export const SENDING_PAUSED = 'sending_paused';

/**
 * What a proxy in front of Evolution answers while Evolution is down or too slow. A 404 is a
 * gateway_error only when its body is not Evolution's (Traefik's "404 page not found" while the
 * container restarts): Evolution's own 404s are instance_not_found or endpoint_not_found.
 */
const PROXY_OUTAGE_STATUSES = new Set([404, 502, 503, 504]);

/**
 * Whether a failed attempt says something about the WhatsApp account: Evolution answered and
 * refused this send (a number not on WhatsApp, a bad request, an error of WhatsApp's). Our own
 * link to Evolution failing does not, however it shows: no connection, no answer in time, a
 * rate limit of the gateway's, or the 502, 503 or 504 of a proxy in front of Evolution (nginx
 * while Evolution restarts). Counting those paused every advisor with a message in flight at
 * once during a gateway outage, each to be resumed by hand: only the unreachable case was left
 * out, and one message's retries through a one-minute restart behind a proxy tripped the pause.
 * Nor does a media URL whose file server refused Evolution the download (a dead link in a
 * campaign would otherwise pause the advisor).
 */
export function countsTowardsPause(error: GatewayError): boolean {
  switch (error.code) {
    case 'gateway_unreachable':
    case 'gateway_timeout':
    case 'gateway_rate_limited':
    case 'media_unavailable':
      return false;
    case 'gateway_error':
      return error.status !== undefined && !PROXY_OUTAGE_STATUSES.has(error.status);
    default:
      return true;
  }
}

async function publishStatus(ctx: DomainContext, advisorId: string): Promise<void> {
  const row = await findConfig(ctx.db, advisorId);
  if (!row) return;
  await ctx.events.publish(advisorId, {
    type: 'status',
    data: {
      status: row.status,
      phoneNumber: row.phoneNumber,
      profileName: row.profileName,
      alert: row.alert,
    },
  });
}

/** Pauses the advisor's sends (they wait in the queue) unless another alert is already shown. */
export async function pauseSending(
  ctx: DomainContext,
  advisorId: string,
  why: { failures: number; windowMinutes: number },
): Promise<boolean> {
  const paused = await replaceAlert(ctx.db, advisorId, null, SENDING_PAUSED);
  if (!paused) return false;
  ctx.logger.warn({ advisorId, ...why }, 'sends paused after a burst of failures');
  await publishStatus(ctx, advisorId);
  return true;
}

/** Lifts the pause and wakes the waiting messages; false when the sends were not paused. */
export async function resumeSending(ctx: DomainContext, advisorId: string): Promise<boolean> {
  const resumed = await replaceAlert(ctx.db, advisorId, SENDING_PAUSED, null);
  if (!resumed) return false;
  await publishStatus(ctx, advisorId);
  // The same wake-up as after a reconnection: promote the advisor's delayed jobs, in order.
  await ctx.wakeWaitingSends?.(advisorId);
  return true;
}

/**
 * Whether the advisor's sends were opened (reconnected, or resumed) since `since`. A job told to
 * wait asks once it is delayed: the wake-up of a reconnection or resume decided meanwhile
 * promoted the delayed jobs before this one was among them. Only a change of the row counts, so
 * a gateway answering "not connected" while the row says connected cannot turn into a loop.
 */
export async function sendingOpenedSince(
  ctx: DomainContext,
  advisorId: string,
  since: Date,
): Promise<boolean> {
  const row = await findConfig(ctx.db, advisorId);
  return (
    row?.status === 'connected' &&
    row.alert !== SENDING_PAUSED &&
    row.instanceTokenEnc !== null &&
    row.updatedAt >= since
  );
}
