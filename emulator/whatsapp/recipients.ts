// Who a send goes to and whether it can go at all (reference §5, §6.2). The gateway checks nothing up front:
// the answer depends on where the send fails, which is why an offline instance gives a 500 string the first
// time and a 400 array once the number is in the on-WhatsApp cache.
import type { EmulatorContext } from '../core/context.js';
import type { Instance } from '../core/instance.js';
import { createJid, jidUser, skipsExistenceCheck } from '../core/jid.js';
import { EvolutionHttpError, badRequest, connectionClosed, missingSocket } from '../evolution/errors.js';

/** Our stand-in for WhatsApp's directory: everyone exists unless faulted or obviously not a phone number. */
export function existsOnWhatsApp(ctx: EmulatorContext, jid: string): boolean {
  return jidUser(jid).length >= 8 && ctx.faults.isOnWhatsApp(jid);
}

/** Resolves `number` to the JID WhatsApp confirms, or throws what the gateway would answer. */
export function resolveRecipient(ctx: EmulatorContext, instance: Instance, number: string): string {
  const jid = createJid(number);
  const skipCheck = skipsExistenceCheck(jid);
  if (instance.state !== 'open') {
    const reachesSendTry = skipCheck || ctx.onWhatsApp.has(jid);
    if (!instance.hasSocket) {
      if (reachesSendTry)
        throw badRequest("TypeError: Cannot read properties of undefined (reading 'sendMessage')");
      throw missingSocket('onWhatsApp');
    }
    // The existence check runs outside the send's try (→ raw 500); the send itself inside it (→ 400).
    if (reachesSendTry) throw badRequest('Error: Connection Closed');
    throw connectionClosed();
  }
  if (!skipCheck) {
    if (!existsOnWhatsApp(ctx, jid)) throw badRequest({ jid, exists: false, number });
    ctx.onWhatsApp.add(jid);
  }
  return jid;
}

/** Media is uploaded before the number check, so a dead socket fails there with a 500 array. */
export function assertCanUpload(instance: Instance): void {
  if (instance.state === 'open') return;
  const reason = instance.hasSocket
    ? 'Error: Connection Closed'
    : "TypeError: Cannot read properties of undefined (reading 'waUploadToServer')";
  throw new EvolutionHttpError(500, [reason]);
}
