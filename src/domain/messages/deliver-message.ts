// The worker's half of the pipeline: re-read the message, check it may still go out, send it
// through the gateway and record the outcome. It never decides about retries or timing: it
// says what happened and the job layer acts on it.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import {
  readForDelivery,
  releaseEarlyClaim,
  type DeliveryRead,
} from '../../db/repositories/delivery.repository.js';
import {
  claimForSending,
  markFinished,
  markSent,
  markSentIdTaken,
  releaseForRetry,
  type ClaimTimes,
  type MessageRow,
} from '../../db/repositories/message.repository.js';
import { touchClientOutbound } from '../../db/repositories/client.repository.js';
import { findConfig, type ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import { whatsappMedia } from '../../db/schema/index.js';
import {
  isAudioToConvert,
  isGatewayError,
  mayHaveBeenProcessed,
  type InstanceRef,
  type SendResult,
} from '../../gateway/index.js';
import { logMessageContent } from '../../observability/content-log.js';
import { nowOf, type DomainContext } from '../context.js';
import { readSettings, type AdvisorSettings } from '../instances/advisor-settings.js';
import { effectiveFeatures, featuresNeededBy } from '../instances/features.js';
import { instanceRefOf } from '../instances/instance-credentials.js';
import { countsTowardsPause, SENDING_PAUSED } from '../instances/pause-sending.js';
import { refreshConnectionState } from '../instances/refresh-connection-state.js';
import { applyPendingReceipts } from '../webhooks/apply-message-status.js';
import { isFinal } from './message-status.js';
import { messageView } from './message-view.js';

export type DeliveryOutcome =
  | { kind: 'sent'; message: MessageRow }
  | { kind: 'done' }
  | { kind: 'skipped'; reason: string }
  /** A send-time rule holds the message until `until` (quiet hours); no attempt is spent. */
  | { kind: 'deferred'; until: Date; reason: string }
  | { kind: 'wait_connection' }
  /** Sends paused after a burst of failures (account safety) until the advisor resumes. */
  | { kind: 'wait_resume' }
  | { kind: 'wait_slot'; delayMs: number }
  /**
   * Another attempt claimed the message and may be sending it now (its job was made again: Redis
   * lost it, or BullMQ found it stalled). Look again once that claim counts as abandoned.
   */
  | { kind: 'wait_claim'; delayMs: number }
  /**
   * `uncertain`: the request reached the gateway and no answer came back (a timeout or a dropped
   * connection after sending), so WhatsApp may have the message; the retry waits for its echo.
   */
  | {
      kind: 'retry';
      error: { code: string; message: string };
      uncertain: boolean;
      countsTowardsPause: boolean;
      recipient: string | null;
    }
  /**
   * `countsTowardsPause`: the failure says something about the WhatsApp account (pause-sending.ts);
   * `recipient`: the number it was sent to (the pause counts failures by recipient).
   */
  | {
      kind: 'failed';
      error: { code: string; message: string };
      countsTowardsPause: boolean;
      recipient: string | null;
    };

/**
 * The gateway accepted the send but recording it failed (the database went away between the two):
 * the job keeps the gateway's answer, so that its retry records it instead of sending again.
 */
export class SentButUnrecordedError extends Error {
  constructor(
    readonly result: Pick<SendResult, 'evolutionMessageId' | 'remoteJid'>,
    readonly at: Date,
    cause: unknown,
  ) {
    super(`sent as ${result.evolutionMessageId} but not recorded: ${(cause as Error).message}`, { cause });
  }
}

export interface DeliveryHooks {
  /** A previous attempt's send the gateway accepted and the database did not record: record only. */
  alreadySent?: { result: Pick<SendResult, 'evolutionMessageId' | 'remoteJid'>; at: Date };
  /** Reserves a rate-limit slot; returns ms to wait (0 = go). Called only when all checks passed. */
  reserveSlot?: (settings: AdvisorSettings, config: ConfigRow, message: MessageRow) => Promise<number>;
  /**
   * Extra send-time rule (appointment still valid, quiet hours…): null to go on, a reason to skip,
   * or with `deferUntil` a reason to wait (the hook has already moved the row to that instant).
   */
  mustSkip?: (message: MessageRow, config: ConfigRow) => Promise<SendTimeVerdict | null>;
  /**
   * Sees the part of an attempt that holds the claim: the gateway call and the recording of its
   * answer. Neither needs Redis, so a shutdown with Redis away still waits for it (start-workers.ts).
   */
  whileSending?: <T>(sending: Promise<T>) => Promise<T>;
}

export interface SendTimeVerdict {
  code: string;
  message: string;
  /** Not now: the message was moved to this instant and its job waits for it. */
  deferUntil?: Date;
}

async function finish(
  ctx: DomainContext,
  message: MessageRow,
  status: 'skipped' | 'failed',
  error: { code: string; message: string },
) {
  const row = await markFinished(ctx.db, message.advisorId, message.id, status, error, nowOf(ctx));
  if (row) await ctx.events.publish(message.advisorId, { type: 'message', data: messageView(row) as never });
}

export async function deliverMessage(
  ctx: DomainContext,
  advisorId: string,
  messageId: string,
  hooks: DeliveryHooks = {},
): Promise<DeliveryOutcome> {
  if (hooks.alreadySent) {
    const { result, at } = hooks.alreadySent;
    return recordSent(ctx, advisorId, messageId, result, at, null);
  }
  const times = claimTimesOf(ctx);
  const read = await readForDelivery(ctx.db, advisorId, messageId, times);
  if (!read || isFinal(read.message.status)) return { kind: 'done' };
  if (!read.config) return { kind: 'done' };
  if (!read.claimed && read.message.status === 'sending') {
    const left = read.message.updatedAt.getTime() - times.reclaimBefore.getTime();
    if (left > 0) return { kind: 'wait_claim', delayMs: left };
  }
  // A scheduled message whose job runs before its time (an admin's "Promote" in the queue
  // dashboard, a clock ahead of the one that set the delay) waits for that time: the job's delay
  // was all that held it back, and it went out hours or days early.
  const { scheduledAt } = read.message;
  if (read.message.status === 'scheduled' && scheduledAt && scheduledAt > times.now) {
    if (read.claimed) await releaseEarlyClaim(ctx.db, advisorId, read.message);
    return { kind: 'deferred', until: scheduledAt, reason: 'not_due' };
  }
  // The read claimed the message when every check SQL can see passed (nearly every send). The
  // checks below can still hold it back: a skip finishes the claimed row (sending → skipped is
  // forward); a wait, or a fault before the gateway call, puts the row back as it was read.
  let verdict: DeliveryOutcome | InstanceRef;
  try {
    verdict = await checkBeforeSend(ctx, read as DeliveryRead & { config: ConfigRow }, hooks);
  } catch (err) {
    if (read.claimed) await releaseEarlyClaim(ctx.db, advisorId, read.message).catch(() => undefined);
    throw err;
  }
  if ('kind' in verdict) {
    if (read.claimed && verdict.kind !== 'skipped') await releaseEarlyClaim(ctx.db, advisorId, read.message);
    return verdict;
  }
  const claimed = read.claimed ?? (await claimForSending(ctx.db, advisorId, messageId, times));
  if (!claimed) return { kind: 'done' };
  const sending = sendClaimed(ctx, advisorId, messageId, verdict, claimed);
  return hooks.whileSending ? hooks.whileSending(sending) : sending;
}

/**
 * How long a claim stands: the longest a send can take (the gateway's request timeout) and a
 * margin for what a worker does between its claim and the request (the rate-limit slot, reading
 * an upload), a busy event loop and the clocks of other hosts. Past it, the attempt that made the
 * claim is taken to be gone and another may send the message.
 */
export function claimHoldMs(ctx: Pick<DomainContext, 'config'>): number {
  return ctx.config.evolution.requestTimeoutMs + CLAIM_HOLD_MARGIN_MS;
}

const CLAIM_HOLD_MARGIN_MS = 5_000;

function claimTimesOf(ctx: DomainContext): ClaimTimes {
  const now = nowOf(ctx);
  return { now, reclaimBefore: new Date(now.getTime() - claimHoldMs(ctx)) };
}

/** Everything that may hold a message back at send time; the instance to send through when nothing does. */
async function checkBeforeSend(
  ctx: DomainContext,
  read: DeliveryRead & { config: ConfigRow },
  hooks: DeliveryHooks,
): Promise<DeliveryOutcome | InstanceRef> {
  const { message, config } = read;
  const features = effectiveFeatures(ctx.featureDefaults, config.features);

  const skip = async (code: string, text: string): Promise<DeliveryOutcome> => {
    await finish(ctx, message, 'skipped', { code, message: text });
    return { kind: 'skipped', reason: code };
  };
  const off = featuresNeededBy(message).find((feature) => !features[feature]);
  if (off === 'sending') return skip('feature_disabled', 'Sending is disabled for this account.');
  if (off) return skip('feature_disabled', 'Automated messages are disabled for this account.');
  if (message.phone && read.optedOut) {
    return skip('recipient_opted_out', 'The client opted out before the message went out.');
  }
  // Send-time rules (the appointment guard) see messages the read did not claim: it never claims
  // one about an appointment, so a reschedule committed meanwhile still cancels it.
  const rule = hooks.mustSkip ? await hooks.mustSkip(message, config) : null;
  if (rule?.deferUntil) return { kind: 'deferred', until: rule.deferUntil, reason: rule.code };
  if (rule) return skip(rule.code, rule.message);

  const ref = instanceRefOf(ctx.box, config);
  if (!ref || config.status !== 'connected') return { kind: 'wait_connection' };
  if (config.alert === SENDING_PAUSED) return { kind: 'wait_resume' };

  const settings = readSettings(config.settings, ctx.bounds);
  const delayMs = hooks.reserveSlot ? await hooks.reserveSlot(settings, config, message) : 0;
  if (delayMs > 0) return { kind: 'wait_slot', delayMs };
  return ref;
}

async function sendClaimed(
  ctx: DomainContext,
  advisorId: string,
  messageId: string,
  ref: InstanceRef,
  claimed: MessageRow,
): Promise<DeliveryOutcome> {
  let result: SendResult;
  try {
    const media = await mediaOf(ctx, claimed);
    if (media === GONE) {
      // The upload went with retention while a retry was on its way (the retry itself is refused
      // once the bytes are gone). This message's fault, not the WhatsApp account's: nothing
      // reached the gateway, so it must not count towards the account-safety pause.
      const error = { code: 'bad_request', message: 'The media for this message is no longer available.' };
      await finish(ctx, claimed, 'failed', error);
      return { kind: 'failed', error, countsTowardsPause: false, recipient: claimed.phone };
    }
    result = await send(ctx, ref, claimed, media);
  } catch (err) {
    if (!isGatewayError(err)) {
      // The row is read by the advisor and by API callers: the error's own text (a SQL statement,
      // a file path) is for the operator, in the log under the reference the row gives.
      const errorId = randomUUID();
      ctx.logger.warn({ err, errorId, advisorId, messageId }, 'send attempt failed by an internal error');
      await releaseForRetry(ctx.db, advisorId, messageId, {
        code: 'internal_error',
        message: `An error on our side stopped this attempt (error id ${errorId}); it will be tried again.`,
      });
      throw err;
    }
    const error = { code: err.code, message: err.message };
    // Refused for want of a connection (one the service had not heard was lost): the message waits
    // for it, and the look is no attempt. Counted, `attempts` climbed by one every RECONNECT_POLL_MS
    // until the health check noticed, while a disconnection the service knew of counted none.
    if (err.code === 'instance_not_found' && (await instanceLost(ctx, advisorId))) {
      await releaseForRetry(ctx.db, advisorId, messageId, error, { notAnAttempt: true });
      return { kind: 'wait_connection' };
    }
    if (err.kind === 'not_connected') {
      await releaseForRetry(ctx.db, advisorId, messageId, error, { notAnAttempt: true });
      // The service sends only to a number it believes connected: the close webhook was lost. The
      // state is read now, so the dashboard says so and the next looks wait without asking the
      // gateway; it said "connected" until the health check (HEALTH_CHECK_INTERVAL_MS, 5 min).
      await refreshConnectionState(ctx, advisorId).catch((refreshErr: unknown) =>
        ctx.logger.warn(
          { advisorId, err: (refreshErr as Error).message },
          'reading the connection state after a not-connected refusal failed',
        ),
      );
      return { kind: 'wait_connection' };
    }
    if (err.kind === 'transient') {
      const uncertain = mayHaveBeenProcessed(err);
      // The row says how long the retry waits for this attempt's echo, so that a cancel meanwhile
      // is refused (the send processor holds the job as long: SEND_UNCERTAIN_RETRY_MS).
      const echoAwaitedUntil = uncertain ? new Date(Date.now() + ctx.config.sendBackoff.uncertainMs) : null;
      await releaseForRetry(ctx.db, advisorId, messageId, error, { uncertainUntil: echoAwaitedUntil });
      return {
        kind: 'retry',
        error,
        uncertain,
        countsTowardsPause: countsTowardsPause(err),
        recipient: claimed.phone,
      };
    }
    await finish(ctx, claimed, 'failed', error);
    return { kind: 'failed', error, countsTowardsPause: countsTowardsPause(err), recipient: claimed.phone };
  }

  const at = nowOf(ctx);
  try {
    return await recordSent(ctx, advisorId, messageId, result, at, claimed);
  } catch (err) {
    throw new SentButUnrecordedError(result, at, err);
  }
}

/**
 * A send this long after its message was written (a reminder or follow-up the booking wrote days
 * ahead, a message held by pacing or a disconnection) moves its conversation up the inbox: the
 * outbox write dated the conversation's last outbound contact when it wrote the message, and the
 * inbox lists conversations by last contact while the chat shows this message as the newest.
 * Sends that go out at once (nearly all, and every one of a bulk send at full speed) were dated
 * by their write already and cost no statement.
 */
const LATE_SEND_MS = 60_000;

/** Records a send the gateway accepted, with the receipts that overtook its answer. */
async function recordSent(
  ctx: DomainContext,
  advisorId: string,
  messageId: string,
  result: Pick<SendResult, 'evolutionMessageId' | 'remoteJid'>,
  at: Date,
  claimed: MessageRow | null,
): Promise<DeliveryOutcome> {
  const record = { evolutionMessageId: result.evolutionMessageId, chatJid: result.remoteJid, at };
  let sent: MessageRow | null;
  let ownsId = true;
  try {
    sent = await markSent(ctx.db, advisorId, messageId, record);
  } catch (err) {
    // An echo gave this send's id to an identical message whose answer was lost: this one is sent
    // all the same. Retrying markSent would break the unique index for ever.
    sent = await markSentIdTaken(ctx.db, advisorId, messageId, record);
    if (!sent) throw err;
    ownsId = false;
  }
  // Receipts that overtook the send response were parked: apply them now (the id's holder got
  // its own when it adopted the id). They stay parked until applied, so a failure here leaves
  // them to this job's retry, which records the send again and applies them.
  if (ownsId) sent = (await applyPendingReceipts(ctx, advisorId, result.evolutionMessageId)) ?? sent;
  if (sent?.phone && at.getTime() - sent.createdAt.getTime() > LATE_SEND_MS) {
    await touchClientOutbound(ctx.db, advisorId, sent.phone, null, at);
  }
  if (sent) await ctx.events.publish(advisorId, { type: 'message', data: messageView(sent) as never });
  const content = sent ?? claimed;
  if (content) {
    logMessageContent(ctx, advisorId, {
      messageId,
      direction: 'outbound',
      phone: content.phone,
      type: content.type,
      text: content.text,
      caption: content.caption,
    });
  }
  return content ? { kind: 'sent', message: content } : { kind: 'done' };
}

/**
 * The gateway no longer has the advisor's instance (its storage was reset, someone deleted it):
 * that is the connection lost, not this message's fault. The state poll records it (the advisor
 * sees "disconnected" and connects again, which re-creates the instance), and the message waits
 * for it like any other. True when the advisor is no longer connected after the poll; if the poll
 * still finds the instance, the refusal was about something else and the send fails as before
 * (never a wait that could loop).
 */
async function instanceLost(ctx: DomainContext, advisorId: string): Promise<boolean> {
  await refreshConnectionState(ctx, advisorId);
  const config = await findConfig(ctx.db, advisorId);
  return config !== null && config.status !== 'connected';
}

const GONE = Symbol('upload gone');

/** What to send as the file: its URL, or the upload's bytes as base64; GONE when those were deleted. */
async function mediaOf(ctx: DomainContext, message: MessageRow): Promise<string | null | typeof GONE> {
  if (message.type === 'text' || message.mediaUrl) return message.mediaUrl;
  if (!message.mediaId) return GONE;
  const [row] = await ctx.db
    .select({ data: whatsappMedia.data })
    .from(whatsappMedia)
    .where(and(eq(whatsappMedia.advisorId, message.advisorId), eq(whatsappMedia.id, message.mediaId)))
    .limit(1);
  return row ? row.data.toString('base64') : GONE;
}

async function send(
  ctx: DomainContext,
  ref: InstanceRef,
  message: MessageRow,
  media: string | null,
): Promise<SendResult> {
  // The gateway takes E.164 and converts to Evolution's digits itself.
  const number = message.phone!;
  if (message.type === 'text') return ctx.gateway.sendText(ref, { number, text: message.text ?? '' });
  // A browser's WebM recording, a WAV, a FLAC: WhatsApp plays none as a file, and Evolution's
  // voice-note route converts them to OGG/Opus.
  if (message.type === 'audio' && isAudioToConvert(message.mimetype))
    return ctx.gateway.sendWhatsAppAudio(ref, { number, audio: media! });
  return ctx.gateway.sendMedia(ref, {
    number,
    mediatype: message.type as 'image' | 'document' | 'audio' | 'video',
    media: media!,
    ...(message.mimetype ? { mimetype: message.mimetype } : {}),
    ...(message.caption ? { caption: message.caption } : {}),
    ...(message.fileName ? { fileName: message.fileName } : {}),
  });
}
