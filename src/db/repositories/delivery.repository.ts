// What the send worker reads before each attempt, in one statement: the message, its advisor's
// config row and whether the recipient opted out. Three round trips became one (see
// docs/BENCHMARKS.md, "Where the time goes"); scoped by advisor like every other read.
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { whatsappClient, whatsappConfig, whatsappMessage } from '../schema/index.js';
import type { MessageRow } from './message.repository.js';
import type { ConfigRow } from './whatsapp-config.repository.js';

export interface DeliveryRead {
  message: MessageRow;
  /** Null when the advisor's config row is gone (the instance was removed). */
  config: ConfigRow | null;
  optedOut: boolean;
}

export async function readForDelivery(
  db: DbOrTx,
  advisorId: string,
  messageId: string,
): Promise<DeliveryRead | null> {
  const statement = preparedOnce(db, 'ww_read_for_delivery', (d) =>
    d
      .select({ message: whatsappMessage, config: whatsappConfig, optedOut: whatsappClient.optedOut })
      .from(whatsappMessage)
      .leftJoin(whatsappConfig, eq(whatsappConfig.advisorId, whatsappMessage.advisorId))
      .leftJoin(
        whatsappClient,
        and(
          eq(whatsappClient.advisorId, whatsappMessage.advisorId),
          eq(whatsappClient.phone, whatsappMessage.phone),
        ),
      )
      .where(
        and(
          eq(whatsappMessage.advisorId, sql.placeholder('advisorId')),
          eq(whatsappMessage.id, sql.placeholder('messageId')),
        ),
      )
      .limit(1)
      .prepare('ww_read_for_delivery'),
  );
  const [row] = await statement.execute({ advisorId, messageId });
  if (!row) return null;
  return { message: row.message, config: row.config, optedOut: row.optedOut ?? false };
}
