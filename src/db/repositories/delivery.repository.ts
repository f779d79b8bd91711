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
//
// Under load the reads of concurrent jobs share one statement (coalesce.ts), over arrays; each
// still reads and claims after its job started, with its own claim times, and a message asked
// twice in one batch is claimed by its first ask only.
import { and, eq, getTableColumns, isNotNull, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { whatsappClient, whatsappConfig, whatsappMessage } from '../schema/index.js';
import { sharedStatement } from '../coalesce.js';
import {
  claimableWhere,
  claimParams,
  claimPlaceholders,
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
  // One message's row the claim cannot write (a value out of range) must not fail the jobs it
  // happened to share the statement with: their attempts would be spent, and on a last attempt
  // the message would end `internal_error` (send-last-attempt.ts) for another message's fault.
  return sharedStatement(db, 'read_claim_for_delivery', readManyForDelivery, { aloneOnFailure: true })({
    advisorId,
    messageId,
    times,
  });
}

interface Ask {
  advisorId: string;
  messageId: string;
  times: ClaimTimes;
}

/**
 * Each ask's read, in order. A message asked twice in one batch (the sweeper's job and BullMQ's,
 * say) would be claimed by both asks of one statement, as both see the row before either claim:
 * only its first ask goes in the shared statement and the others run alone after it, each seeing
 * the claim before it, as if they had come one after another.
 */
async function readManyForDelivery(db: DbOrTx, asks: Ask[]): Promise<(DeliveryRead | null)[]> {
  if (asks.length === 1) return [await readOneForDelivery(db, asks[0]!)];
  const seen = new Set<string>();
  const shared: number[] = [];
  const after: number[] = [];
  asks.forEach((ask, i) => {
    (seen.has(ask.messageId) ? after : shared).push(i);
    seen.add(ask.messageId);
  });
  // In id order: the plan walks the array in order (a nested loop, one primary-key lookup per
  // ask), so two processes' batches that share rows (a message with a job in each) lock them in
  // the same order and one waits for the other instead of both deadlocking.
  shared.sort((a, b) => (asks[a]!.messageId < asks[b]!.messageId ? -1 : 1));
  const reads: (DeliveryRead | null)[] = asks.map(() => null);
  const statement = preparedOnce(db, 'ww_read_claim_for_delivery_many', buildManyStatement);
  const rows = await statement.execute({
    advisorIds: shared.map((i) => asks[i]!.advisorId),
    messageIds: shared.map((i) => asks[i]!.messageId),
    nows: shared.map((i) => asks[i]!.times.now.toISOString()),
    reclaimBefores: shared.map((i) => asks[i]!.times.reclaimBefore.toISOString()),
  });
  for (const row of rows) reads[shared[row.ask - 1]!] = deliveryReadOf(row);
  for (const i of after) reads[i] = await readOneForDelivery(db, asks[i]!);
  return reads;
}

async function readOneForDelivery(
  db: DbOrTx,
  { advisorId, messageId, times }: Ask,
): Promise<DeliveryRead | null> {
  const statement = preparedOnce(db, 'ww_read_claim_for_delivery', buildOneStatement);
  const [row] = await statement.execute({ advisorId, messageId, ...claimParams(times) });
  return row ? deliveryReadOf(row) : null;
}

/** The checks SQL can see that a message must pass to be claimed in the read (see the top). */
function sendableNowWhere() {
  return [
    isNull(whatsappMessage.appointmentId),
    isNotNull(whatsappMessage.phone),
    sql`exists (select 1 from ${whatsappConfig} c
      where c.advisor_id = ${whatsappMessage.advisorId} and c.status = 'connected'
        and c.instance_name is not null and c.instance_token_enc is not null
        and c.alert is distinct from ${sql.raw(`'${PAUSED_ALERT}'`)})`,
    sql`not exists (select 1 from ${whatsappClient} o
      where o.advisor_id = ${whatsappMessage.advisorId} and o.phone = ${whatsappMessage.phone}
        and o.opted_out)`,
  ];
}

/** The claim: a data-modifying CTE, so the rest of its statement sees the rows as they were before it. */
type ClaimCte = ReturnType<typeof oneClaim>;

function oneClaim(d: DbOrTx) {
  return d.$with('claim').as(
    d
      .update(whatsappMessage)
      .set(claimSet())
      .where(and(...claimableWhere(claimPlaceholders('messageId')), ...sendableNowWhere()))
      .returning(),
  );
}

/** One claim per ask of the arrays `advisorIds`, `messageIds`, `nows` and `reclaimBefores`. */
function manyClaims(d: DbOrTx): ClaimCte {
  const p = sql.placeholder;
  return d.$with('claim').as(
    d
      .update(whatsappMessage)
      .set(claimSet(sql`ask.now`))
      .from(
        sql`unnest(${p('advisorIds')}::text[], ${p('messageIds')}::uuid[], ${p('nows')}::timestamptz[],
          ${p('reclaimBefores')}::timestamptz[]) as ask(advisor_id, id, now, reclaim_before)`,
      )
      .where(
        and(
          ...claimableWhere({
            advisorId: sql`ask.advisor_id`,
            id: sql`ask.id`,
            reclaimBefore: sql`ask.reclaim_before`,
          }),
          ...sendableNowWhere(),
        ),
      )
      .returning(getTableColumns(whatsappMessage)),
  );
}

/** The row as read, the claim's row (its id null when nothing was claimed), config and opt-out. */
function readColumns(claim: ClaimCte) {
  const claimedColumns = Object.fromEntries(
    Object.keys(getTableColumns(whatsappMessage)).map((key) => [key, claim[key as keyof typeof claim]]),
  ) as unknown as typeof whatsappMessage._.columns;
  return {
    message: whatsappMessage,
    claimedId: claim.id,
    claimed: claimedColumns,
    config: whatsappConfig,
    optedOut: whatsappClient.optedOut,
  };
}

const configJoin = eq(whatsappConfig.advisorId, whatsappMessage.advisorId);
const clientJoin = and(
  eq(whatsappClient.advisorId, whatsappMessage.advisorId),
  eq(whatsappClient.phone, whatsappMessage.phone),
);

function buildOneStatement(d: DbOrTx) {
  const claim = oneClaim(d);
  return d
    .with(claim)
    .select(readColumns(claim))
    .from(whatsappMessage)
    .leftJoin(claim, eq(claim.id, whatsappMessage.id))
    .leftJoin(whatsappConfig, configJoin)
    .leftJoin(whatsappClient, clientJoin)
    .where(
      and(
        eq(whatsappMessage.advisorId, sql.placeholder('advisorId')),
        eq(whatsappMessage.id, sql.placeholder('messageId')),
      ),
    )
    .limit(1)
    .prepare('ww_read_claim_for_delivery');
}

function buildManyStatement(d: DbOrTx) {
  const claim = manyClaims(d);
  return d
    .with(claim)
    .select({ ask: sql<number>`ask.n`.mapWith(Number), ...readColumns(claim) })
    .from(whatsappMessage)
    .innerJoin(
      sql`unnest(${sql.placeholder('advisorIds')}::text[], ${sql.placeholder('messageIds')}::uuid[]) with ordinality as ask(advisor_id, id, n)`,
      sql`${whatsappMessage.advisorId} = ask.advisor_id and ${whatsappMessage.id} = ask.id`,
    )
    .leftJoin(claim, eq(claim.id, whatsappMessage.id))
    .leftJoin(whatsappConfig, configJoin)
    .leftJoin(whatsappClient, clientJoin)
    .prepare('ww_read_claim_for_delivery_many');
}

type ReadRow = Awaited<ReturnType<ReturnType<typeof buildOneStatement>['execute']>>[number];

function deliveryReadOf(row: ReadRow): DeliveryRead {
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
