// What POST /send reads before it writes, in one statement when the recipient is already known
// (written with its country code): the advisor's config row and whether that recipient opted out.
// Two round trips on the API's hottest path became one, as the worker's readForDelivery did.
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
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
  const statement = preparedOnce(db, 'ww_read_send_context', (d) =>
    d
      .select({ config: whatsappConfig, optedOut: whatsappClient.optedOut })
      .from(whatsappConfig)
      .leftJoin(
        whatsappClient,
        and(
          eq(whatsappClient.advisorId, whatsappConfig.advisorId),
          eq(whatsappClient.phone, sql.placeholder('phone')),
        ),
      )
      .where(eq(whatsappConfig.advisorId, sql.placeholder('advisorId')))
      .limit(1)
      .prepare('ww_read_send_context'),
  );
  const [row] = await statement.execute({ advisorId, phone });
  return row ? { config: row.config, optedOut: row.optedOut ?? false } : null;
}
