// What the webhook sweep looks for in a parking table (pending_receipt, pending_message_change):
// the messages rows are still parked for although the message is stored by now.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { pendingMessageChange, pendingReceipt, whatsappMessage } from '../schema/index.js';

export interface ParkedForStored {
  advisorId: string;
  evolutionMessageId: string;
}

/**
 * Up to `limit` (advisor, Evolution id) pairs parked in `parked` whose message is stored, in a
 * fixed order, so that a sweep's page is the same from one run to the next.
 */
export async function parkedForStoredMessages(
  db: DbOrTx,
  parked: typeof pendingReceipt | typeof pendingMessageChange,
  limit: number,
): Promise<ParkedForStored[]> {
  const m = whatsappMessage;
  const { advisorId, evolutionMessageId } = parked;
  return (
    db
      .selectDistinct({ advisorId, evolutionMessageId })
      // For drizzle's types only (it takes no union of tables): the table queried is `parked`.
      .from(parked as typeof pendingReceipt)
      .where(
        sql`exists (select 1 from ${m} where ${m.advisorId} = ${advisorId} and ${m.evolutionMessageId} = ${evolutionMessageId})`,
      )
      .orderBy(advisorId, evolutionMessageId)
      .limit(limit)
  );
}
