// The advisor records a client's consent by hand (asked by phone, by email…), or lifts it. The
// change is audited with who made it; a client's later STOP or START still wins over it.
import { insertAudit, type AuditEntry } from '../../db/repositories/audit.repository.js';
import { findClient } from '../../db/repositories/client.repository.js';
import { setOptState } from '../../db/repositories/inbox.repository.js';
import { AppError } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import { clientView, type ClientView } from './client-view.js';
import { assertInboxEnabled } from './inbox-feature.js';

export async function setClientOptOut(
  ctx: DomainContext,
  advisorId: string,
  phone: string,
  optedOut: boolean,
  actor: { type: AuditEntry['actorType']; id: string | null },
): Promise<ClientView> {
  await assertInboxEnabled(ctx, advisorId);
  const row = await ctx.db.transaction(async (tx) => {
    const before = await findClient(tx, advisorId, phone);
    const updated = await setOptState(tx, advisorId, phone, optedOut, 'advisor', nowOf(ctx));
    if (updated && (before?.optedOut ?? false) !== optedOut) {
      await insertAudit(tx, advisorId, {
        actorType: actor.type,
        actorId: actor.id,
        action: optedOut ? 'client.opt_out' : 'client.opt_in',
        phone,
        content: { source: 'advisor' },
      });
    }
    return updated;
  });
  if (!row) {
    throw new AppError(
      'state_conflict',
      'The client changed their preference after this request was made: reload.',
    );
  }
  return clientView(row);
}
