// What POST /send reads before it writes, in one statement when the recipient is already known
// (written with its country code): the advisor's config row and whether that recipient opted out.
// Two round trips on the API's hottest path became one, as the worker's readForDelivery did, and
// under load the reads of concurrent sends share one statement.
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { sharedStatement } from '../coalesce.js';
import { preparedOnce } from '../prepared.js';
import { whatsappClient, whatsappConfig } from '../schema/index.js';
import type { ConfigRow } from './whatsapp-config.repository.js';

export interface SendContext {
  config: ConfigRow;
  optedOut: boolean;
}

/** Null when the advisor has no config row yet (ensureConfig creates it). */
export async function readSendContext(
  db: DbOrTx,
  advisorId: string,
  phone: string,
): Promise<SendContext | null> {
  // Concurrent sends share one read (coalesce.ts); each still reads after its request arrived.
  return sharedStatement(db, 'send_contexts', readSendContexts)({ advisorId, phone });
}

interface Ask {
  advisorId: string;
  phone: string;
}

/** The context of each (advisor, recipient), in the order asked. */
async function readSendContexts(db: DbOrTx, asks: Ask[]): Promise<(SendContext | null)[]> {
  const statement = preparedOnce(db, 'ww_read_send_contexts', (d) =>
    d
      .select({
        ask: sql<number>`ask.n`.mapWith(Number),
        config: whatsappConfig,
        optedOut: whatsappClient.optedOut,
      })
      .from(whatsappConfig)
      .innerJoin(
        sql`unnest(${sql.placeholder('advisorIds')}::text[], ${sql.placeholder('phones')}::text[]) with ordinality as ask(advisor_id, phone, n)`,
        sql`ask.advisor_id = ${whatsappConfig.advisorId}`,
      )
      .leftJoin(
        whatsappClient,
        and(eq(whatsappClient.advisorId, whatsappConfig.advisorId), sql`${whatsappClient.phone} = ask.phone`),
      )
      .prepare('ww_read_send_contexts'),
  );
  const rows = await statement.execute({
    advisorIds: asks.map((a) => a.advisorId),
    phones: asks.map((a) => a.phone),
  });
  const contexts: (SendContext | null)[] = asks.map(() => null);
  for (const row of rows) contexts[row.ask - 1] = { config: row.config, optedOut: row.optedOut ?? false };
  return contexts;
}
