// Until 2026-12-05 a number read from a WhatsApp JID was stored with the JID's digits: Argentine
// mobiles without their 9, older Brazilian mobiles without the 9th digit, older Mexican mobiles
// with the dropped 1. A client's STOP was therefore recorded under a number the service never
// sends to (sends use the typed number, normalised), and it was never applied. This data step
// opts the number we send to out too, as if the STOP had been filed there: the old row is left as
// it is (nothing is merged or deleted) and a newer decision on the sending number (a later START,
// the advisor's edit) still wins, by the same rule as every opt change (setOptState).
//
// It runs after the schema migrations, every time they run: once done it finds nothing to carry,
// and its cost is one read of the opted-out clients of those three countries. An opt-out is a
// client's instruction, so the step errs towards honouring it; each carried one is audited.
//
// The one import from src/domain: the JID rule itself, which must be the very one the webhooks use.
import { and, eq, or, like } from 'drizzle-orm';
import { canonicalWhatsAppNumber } from '../domain/phone/mobile-prefix-quirks.js';
import type { DbOrTx } from './client.js';
import { insertAudit } from './repositories/audit.repository.js';
import { findClient } from './repositories/client.repository.js';
import { setOptState } from './repositories/inbox.repository.js';
import { whatsappClient } from './schema/index.js';

/** How many opt-outs were carried to the number the service sends to. */
export async function carryJidOptOuts(db: DbOrTx): Promise<number> {
  const candidates = await db
    .select({
      advisorId: whatsappClient.advisorId,
      phone: whatsappClient.phone,
      optSource: whatsappClient.optSource,
      optChangedAt: whatsappClient.optChangedAt,
      optedOutAt: whatsappClient.optedOutAt,
      updatedAt: whatsappClient.updatedAt,
    })
    .from(whatsappClient)
    .where(
      and(
        eq(whatsappClient.optedOut, true),
        or(
          like(whatsappClient.phone, '+52%'),
          like(whatsappClient.phone, '+54%'),
          like(whatsappClient.phone, '+55%'),
        ),
      ),
    );
  let carried = 0;
  for (const row of candidates) {
    const target = canonicalWhatsAppNumber(row.phone.slice(1));
    if (target === row.phone) continue;
    const at = row.optChangedAt ?? row.optedOutAt ?? row.updatedAt;
    const source = row.optSource ?? 'keyword';
    const done = await db.transaction(async (tx) => {
      const current = await findClient(tx, row.advisorId, target);
      if (current?.optedOut) return false;
      const updated = await setOptState(tx, row.advisorId, target, true, source, at);
      if (!updated) return false; // the client or the advisor decided later on that number
      await insertAudit(tx, row.advisorId, {
        actorType: 'system',
        actorId: null,
        action: 'client.opt_out',
        phone: target,
        content: { source, carriedFrom: row.phone },
      });
      return true;
    });
    if (done) carried++;
  }
  return carried;
}
