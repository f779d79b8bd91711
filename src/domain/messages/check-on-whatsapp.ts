// CHECK_WHATSAPP_NUMBERS: before a send is queued, ask the gateway whether its recipient has
// WhatsApp at all (Evolution's chat/whatsappNumbers), so a caller who typed a landline or a wrong
// number hears it in the answer (422 not_on_whatsapp) instead of finding a failed message later,
// one more failure counted towards the account-safety pause. The check is advisory: a number that
// cannot be asked now (not connected: the send queues, as API.md says; the gateway slow or down)
// is queued, and its attempt finds out as it always did.
import type { ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import { DeadlineError, withDeadline } from '../../deadline.js';
import { isGatewayError } from '../../gateway/index.js';
import { AppError } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { instanceRefOf } from '../instances/instance-credentials.js';

/**
 * How long a send waits for the check. The gateway's own budget (EVOLUTION_REQUEST_TIMEOUT_MS,
 * 30 s) is for sends: a slow gateway held every POST /send that long for a check that is only
 * advice, past the HTTP timeouts of many callers. Unanswered by then, the message is queued.
 */
export const NUMBER_CHECK_DEADLINE_MS = 5_000;

export async function assertOnWhatsApp(ctx: DomainContext, config: ConfigRow, phone: string): Promise<void> {
  if (!ctx.config.checkWhatsappNumbers || config.status !== 'connected') return;
  const ref = instanceRefOf(ctx.box, config);
  if (!ref) return;
  let exists: boolean | undefined;
  const lookup = ctx.gateway.whatsappNumbers(ref, [phone]);
  // Past the deadline the lookup goes on, and a failure then has nobody waiting for it.
  lookup.catch(() => undefined);
  try {
    exists = (await withDeadline(lookup, NUMBER_CHECK_DEADLINE_MS, "The gateway's number check"))[0]?.exists;
  } catch (err) {
    if (!isGatewayError(err) && !(err instanceof DeadlineError)) throw err;
    ctx.logger.warn({ err: err.message }, 'whatsappNumbers check failed or unanswered; queueing unchecked');
    return;
  }
  if (exists === false) {
    throw new AppError('not_on_whatsapp', `${phone} has no WhatsApp account: check the number.`, {
      field: 'to',
      phone,
    });
  }
}
