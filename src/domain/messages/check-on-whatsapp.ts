// CHECK_WHATSAPP_NUMBERS: before a send is queued, ask the gateway whether its recipient has
// WhatsApp at all (Evolution's chat/whatsappNumbers), so a caller who typed a landline or a wrong
// number hears it in the answer (422 not_on_whatsapp) instead of finding a failed message later,
// one more failure counted towards the account-safety pause. The check is advisory: a number that
// cannot be asked now (not connected: the send queues, as API.md says; the gateway slow or down)
// is queued, and its attempt finds out as it always did.
import type { ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import { isGatewayError } from '../../gateway/index.js';
import { AppError } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { instanceRefOf } from '../instances/instance-credentials.js';

export async function assertOnWhatsApp(ctx: DomainContext, config: ConfigRow, phone: string): Promise<void> {
  if (!ctx.config.checkWhatsappNumbers || config.status !== 'connected') return;
  const ref = instanceRefOf(ctx.box, config);
  if (!ref) return;
  let exists: boolean | undefined;
  try {
    exists = (await ctx.gateway.whatsappNumbers(ref, [phone]))[0]?.exists;
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    ctx.logger.warn({ err: err.message, code: err.code }, 'whatsappNumbers check failed; queueing unchecked');
    return;
  }
  if (exists === false) {
    throw new AppError('not_on_whatsapp', `${phone} has no WhatsApp account: check the number.`, {
      field: 'to',
      phone,
    });
  }
}
