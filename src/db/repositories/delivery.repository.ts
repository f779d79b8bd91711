// What the send worker reads before each attempt, in one statement: the message, its advisor's
// config row and whether the recipient opted out. Three round trips became one (see
// docs/BENCHMARKS.md, "Where the time goes"); scoped by advisor like every other read.
//
// The same statement also claims the message (status `sending`, one more attempt) when every
// check that SQL can see passes: the message is still waiting (or the claim of an attempt in
// flight was abandoned, see ClaimTimes), has a phone, is about no
// appointment (those go through the send-time guard first, see appointment-send-guard.ts), the
// instance is connected with its credentials and not paused, and the recipient has not opted
// out. That saves the worker a second statement on nearly every send. The checks SQL cannot see
// (feature flags, the rate-limit slot) run after it; when one of them holds the message back,
// releaseEarlyClaim puts the row back as it was.
import { and, eq, getTableColumns, isNotNull, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { whatsappClient, whatsappConfig, whatsappMessage } from '../schema/index.js';
import {
  claimableWhere,
  claimParams,
  claimSet,
  type ClaimTimes,
  type MessageRow,
} from './message.repository.js';
import type { ConfigRow } from './whatsapp-config.repository.js';

/** The config alert that pauses sending (mirrors SENDING_PAUSED in the domain). */
const PAUSED_ALERT = 'sending_paused';

export interface DeliveryRead {
  /** The row as it was read, before any claim. */
  message: MessageRow;
  /** The row after this statement claimed it; null when it did not (a check failed or SQL can't tell). */
  claimed: MessageRow | null;
  /** Null when the advisor's config row is gone (the instance was removed). */
  config: ConfigRow | null;
  optedOut: boolean;
}

export async function readForDelivery(
  db: DbOrTx,
  advisorId: string,
  messageId: string,
  times: ClaimTimes,
): Promise<DeliveryRead | null> {
  const statement = preparedOnce(db, 'ww_read_claim_for_delivery', (d) => {
    const claim = d.$with('claim').as(
      d
        .update(whatsappMessage)
        .set(claimSet())
        .where(
          and(
            ...claimableWhere('messageId'),
            isNull(whatsappMessage.appointmentId),
            isNotNull(whatsappMessage.phone),
            sql`exists (select 1 from ${whatsappConfig} c
              where c.advisor_id = ${whatsappMessage.advisorId} and c.status = 'connected'
                and c.instance_name is not null and c.instance_token_enc is not null
                and c.alert is distinct from ${sql.raw(`'${PAUSED_ALERT}'`)})`,
            sql`not exists (select 1 from ${whatsappClient} o
              where o.advisor_id = ${whatsappMessage.advisorId} and o.phone = ${whatsappMessage.phone}
                and o.opted_out)`,
          ),
        )
        .returning(),
    );
    const claimedColumns = Object.fromEntries(
      Object.keys(getTableColumns(whatsappMessage)).map((key) => [key, claim[key as keyof typeof claim]]),
    ) as unknown as typeof whatsappMessage._.columns;
    return d
      .with(claim)
      .select({
        message: whatsappMessage,
        claimedId: claim.id,
        claimed: claimedColumns,
        config: whatsappConfig,
        optedOut: whatsappClient.optedOut,
      })
      .from(whatsappMessage)
      .leftJoin(claim, eq(claim.id, whatsappMessage.id))
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
      .prepare('ww_read_claim_for_delivery');
  });
  const [row] = await statement.execute({ advisorId, messageId, ...claimParams(times) });
  if (!row) return null;
  return {
    message: row.message,
    claimed: row.claimedId ? (row.claimed as MessageRow) : null,
    config: row.config,
    optedOut: row.optedOut ?? false,
  };
}

/**
 * Undoes readForDelivery's claim when a check after it holds the message back (a rate-limit or
 * pacing slot, missing credentials): status and attempt count go back to what they were, so the
 * wait reads as it did before the claim moved into the read.
 */
export async function releaseEarlyClaim(db: DbOrTx, advisorId: string, before: MessageRow): Promise<void> {
  await db
    .update(whatsappMessage)
    .set({ status: before.status, attempts: before.attempts, updatedAt: before.updatedAt })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.id, before.id),
        eq(whatsappMessage.status, 'sending'),
      ),
    );
}
