// BullMQ processor for `send` jobs: turns deliverMessage's outcome into queue actions. Waiting
// for a reconnection, a resume or a rate-limit / pacing slot, or being held by quiet hours, delays
// the job without spending an attempt; transient gateway errors are retried with backoff and
// jitter until the attempts run out. With pacing on, failed attempts feed the burst detector that
// pauses the advisor. Any other error is retried the same way; on the last attempt an outage holds
// the job and anything else fails the message `internal_error` (send-last-attempt.ts).
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { markFinished, noteWhyQueued } from '../db/repositories/message.repository.js';
import type { DomainContext } from '../domain/context.js';
import { pacingBoundsOf } from '../domain/instances/advisor-settings.js';
import { dailyCapAt, isPacingOn, type PacingSettings } from '../domain/instances/pacing-settings.js';
import { pauseSending, sendingOpenedSince } from '../domain/instances/pause-sending.js';
import {
  deliverMessage,
  SentButUnrecordedError,
  type DeliveryHooks,
  type DeliveryOutcome,
} from '../domain/messages/deliver-message.js';
import { failOnInternalError, INTERNAL_ERROR } from '../domain/messages/fail-on-internal-error.js';
import { messageView } from '../domain/messages/message-view.js';
import { isTimeCritical } from '../domain/messages/time-critical.js';
import {
  backoffDelay,
  sendJobSchema,
  UncertainSendError,
  type BackoffSettings,
  type SendJob,
} from '../jobs/catalogue.js';
import type { FairPriority } from '../jobs/fair-priority.js';
import type { SendPacer } from '../jobs/send-pacer.js';
import type { RateLimit, SendRateLimiter } from '../jobs/send-rate-limiter.js';
import { rateLimitDelays, sendLatency, sendsTotal } from '../observability/prometheus.js';
import { lastAttemptEnd } from './send-last-attempt.js';

export interface SendProcessorDeps {
  ctx: DomainContext;
  limiter: SendRateLimiter;
  /** Account-safety pacing; absent means off whatever the settings say. */
  pacer?: SendPacer;
  fair: FairPriority;
  /** How long a message waits before looking again at a disconnected instance. */
  reconnectPollMs: number;
  /** The retry backoff: paces the record-only retries once the attempts are spent. */
  backoff?: Pick<BackoffSettings, 'baseMs' | 'maxMs'>;
  /** The least wait after an uncertain attempt (SEND_UNCERTAIN_RETRY_MS); 0 or absent = none. */
  uncertainRetryMs?: number;
  mustSkip?: DeliveryHooks['mustSkip'];
  /** Filled with the claimed attempts in flight (gateway call and recording), for the shutdown. */
  sending?: Set<Promise<unknown>>;
}

export function createSendProcessor(deps: SendProcessorDeps) {
  const attempt = createAttempt(deps);
  return async (job: Job<SendJob>, token?: string): Promise<string> => {
    try {
      return await attempt(job, token);
    } catch (err) {
      // The endings that give the job's place back themselves throw UnrecoverableError; a
      // DelayedError is no ending. Before the last attempt BullMQ retries with the backoff.
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!last || err instanceof DelayedError || err instanceof UnrecoverableError) throw err;
      const parsed = sendJobSchema.safeParse(job.data);
      if (!parsed.success) throw err;
      return endLastAttempt(deps, job, token, parsed.data, err);
    }
  };
}

/**
 * The last attempt threw something the attempt did not steer (send-last-attempt.ts says what
 * becomes of it). A job ending here still held its place in the advisor's fairness count, and
 * every later send renews that count's TTL: never given back, each such failure pushed the
 * advisor's next sends further behind everyone else's.
 */
async function endLastAttempt(
  deps: SendProcessorDeps,
  job: Job<SendJob>,
  token: string | undefined,
  data: SendJob,
  err: unknown,
): Promise<never> {
  const end = lastAttemptEnd(err);
  if (end === 'hold') {
    // Looks again after the last backoff, spending no attempt; the job keeps its place. Without
    // Redis to delay it, it ends, and the sweeper restores it once the outage is over.
    const held = await job.moveToDelayed(Date.now() + recordRetryMs(deps, job), token).then(
      () => true,
      () => false,
    );
    if (held) throw new DelayedError();
  }
  if (end === 'fail') {
    const attempts = job.opts.attempts ?? 1;
    const what = `Could not be processed after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    // Not written (the database went away meanwhile), the message still waits: the job ends and
    // the sweeper gives it a new one, whose last attempt tries again.
    const ended = await failOnInternalError(deps.ctx, data.advisorId, data.messageId, what, err).then(
      (row) => {
        if (row) sendsTotal.inc({ outcome: 'failed', code: INTERNAL_ERROR });
        return true;
      },
      () => false,
    );
    if (ended) {
      await releaseFair(deps, data);
      throw new UnrecoverableError((err as Error)?.message ?? String(err));
    }
  }
  await releaseFair(deps, data);
  throw err;
}

function createAttempt(deps: SendProcessorDeps) {
  const { ctx } = deps;
  return async (job: Job<SendJob>, token?: string): Promise<string> => {
    const data = sendJobSchema.parse(job.data);
    // The retry of an uncertain attempt waits for the echo of that attempt; promoted early (every
    // wake-up promotes the advisor's delayed jobs), it goes back to wait the rest, spending no
    // attempt. Sending now could give the client a second copy.
    if (data.notBefore !== undefined && Date.now() < data.notBefore) {
      await job.moveToDelayed(data.notBefore, token);
      throw new DelayedError();
    }
    if (data.finalLook) return finalLook(deps, data, data.finalLook);
    const startedAt = Date.now();
    // Filled in by reserveSlot (a closure, hence the holder) for the failure accounting below.
    const seen: { pacing: PacingSettings | null } = { pacing: null };
    const hooks: DeliveryHooks = {
      ...(deps.mustSkip ? { mustSkip: deps.mustSkip } : {}),
      ...(deps.sending ? { whileSending: trackIn(deps.sending) } : {}),
      reserveSlot: async (settings, config, message) => {
        const on = deps.pacer && isPacingOn(settings.pacing, pacingBoundsOf(ctx.bounds));
        seen.pacing = on ? settings.pacing : null;
        // A job delayed for its slot already holds one: don't charge it twice. Woken early (a
        // resume promotes every waiting job), it waits for that same slot, keeping its place.
        // Found long after it (the workers were down, or far behind), the slot is stale: the
        // backlog's other slots went by too, and sending them all now would be one burst. So
        // it reserves a fresh one; a job merely late by scheduling jitter still goes at once.
        // A slot reserved under other rules (the advisor changed the rate limit or pacing since,
        // which wakes the waiting jobs) is given up too: held a day by a daily cap since lifted,
        // the message would otherwise still wait the day.
        // Built only when a slot is involved: nearly every send has none and waits for none.
        const rules = () => slotRulesOf(settings.rateLimit, seen.pacing);
        // A slot counted on another number (a different one linked since) is reserved anew on this one.
        const number = config.phoneNumber;
        const onThisNumber = data.slotNumber === undefined || data.slotNumber === number;
        if (data.slotAt && onThisNumber && (data.slotRules === undefined || data.slotRules === rules())) {
          // A time-critical message may have taken this slot since, and moved this one back; a
          // change of the rules may have given it back (null): then it reserves anew.
          const slotAt = await slotNowOf(
            deps,
            data as SendJob & { slotAt: number },
            seen.pacing ? number : undefined,
          );
          if (slotAt !== null) {
            const left = slotAt - Date.now();
            if (left > 50) {
              if (slotAt !== data.slotAt) await job.updateData({ ...data, slotAt });
              return left;
            }
            if (-left <= staleSlotAfterMs(settings.rateLimit, seen.pacing)) return 0;
          }
        }
        if (!onThisNumber) await releasePacingSlot(deps, data, data.slotNumber!);
        const now = Date.now();
        // An appointment's confirmation or reminder goes ahead of the advisor's own waiting
        // messages, within the same limits (slot-line.ts).
        const first = isTimeCritical(message);
        let wait = await deps.limiter.reserve(data.advisorId, settings.rateLimit, now, data.messageId, first);
        if (deps.pacer && seen.pacing) {
          const plan = { ...seen.pacing, dailyCap: dailyCapAt(seen.pacing, config.warmupSince, now) };
          wait = await deps.pacer.reserve(
            data.advisorId,
            number,
            data.messageId,
            plan,
            now,
            now + wait,
            first,
          );
        }
        if (wait > 0)
          await job.updateData({
            ...data,
            slotAt: now + wait,
            slotRules: rules(),
            ...(seen.pacing && number ? { slotNumber: number } : { slotNumber: undefined }),
          });
        return wait;
      },
    };
    if (data.sent) {
      hooks.alreadySent = {
        result: { evolutionMessageId: data.sent.evolutionMessageId, remoteJid: data.sent.remoteJid },
        at: new Date(data.sent.at),
      };
    }
    // WhatsApp has the message and the job keeps the gateway's answer: with no attempt left, the
    // job would end and the row stay `sending`, until the sweeper's fresh job (without the answer)
    // sent it again once the claim expired. Recording keeps being retried instead, spending no
    // attempt; it never sends.
    const recordLater = async (): Promise<never> => {
      await job.moveToDelayed(Date.now() + recordRetryMs(deps, job), token);
      throw new DelayedError();
    };
    const lastAttempt = () => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await deliverMessage(ctx, data.advisorId, data.messageId, hooks).catch(
      async (err: unknown) => {
        if (data.sent && lastAttempt()) return recordLater();
        if (!(err instanceof SentButUnrecordedError)) throw err;
        // WhatsApp has the message: the retry must only record it. Without Redis to keep the
        // answer in, the retry waits long enough for Evolution's echo of the send to record it.
        const sent = { ...err.result, at: err.at.getTime() };
        const kept = await job.updateData({ ...data, sent }).then(
          () => true,
          () => false,
        );
        if (kept && lastAttempt()) return recordLater();
        throw kept ? err : new UncertainSendError(err.message);
      },
    );
    if (seen.pacing) await recordFailure(deps, data, seen.pacing, outcome);
    // A slot is spent by one try: after a wait or a failed attempt the next try reserves anew,
    // so a burst of messages woken by a reconnection is paced again.
    if (data.slotAt && ['wait_connection', 'wait_resume', 'retry', 'deferred'].includes(outcome.kind)) {
      await job.updateData({ ...data, slotAt: undefined, slotNumber: undefined });
      // Found disconnected, paused or held at its slot, the job did not use it: the slot goes back
      // to its number (which may not be the one linked when the job looks again). A retry did use
      // it: the attempt went out from that number.
      if (outcome.kind !== 'retry' && data.slotNumber) await releasePacingSlot(deps, data, data.slotNumber);
    }
    // Skipped at its slot (its client opted out meanwhile, its appointment changed), the message
    // never used its slot: give it back, as a cancel does while the job waits. Kept, it counted in
    // the caps and later sends went after it. A job found 'done' may be one whose message went out
    // by another way under the same id (its slot is that send's): it keeps it.
    if (data.slotAt && data.slotNumber && outcome.kind === 'skipped')
      await releasePacingSlot(deps, data, data.slotNumber);
    // A retry that has no attempt left is the message failing: count it as such. An uncertain one
    // waits for its echo first (the final look counts it, if it fails).
    const exhausted = outcome.kind === 'retry' && lastAttempt();
    const waitsForEcho = exhausted && outcome.uncertain && (deps.uncertainRetryMs ?? 0) > 0;
    sendsTotal.inc({
      outcome: exhausted && !waitsForEcho ? 'failed' : outcome.kind,
      code: 'error' in outcome ? outcome.error.code : '',
    });
    if (outcome.kind === 'wait_slot') rateLimitDelays.inc();
    if (outcome.kind === 'sent') {
      const since = outcome.message.scheduledAt ?? outcome.message.createdAt;
      sendLatency.observe(Math.max(0, (Date.now() - since.getTime()) / 1000));
    }
    switch (outcome.kind) {
      case 'wait_slot':
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        // A long hold (an hourly or daily cap, a low rate limit) says why and until when: a row
        // left "queued" with nothing more looked stuck.
        if (outcome.delayMs >= LONG_HOLD_MS) await noteLongHold(ctx, data, Date.now() + outcome.delayMs);
        throw new DelayedError();
      case 'wait_connection':
      case 'wait_resume':
        await job.moveToDelayed(Date.now() + deps.reconnectPollMs, token);
        // A reconnection (or resume) decided while this job was looking promoted the delayed
        // jobs before this one was delayed: it would wait a whole poll and go out after the
        // messages queued behind it. Looking again now that it is delayed closes that gap.
        // (The margin covers the clocks of other hosts; a spurious wake-up costs one more look.)
        if (await sendingOpenedSince(ctx, data.advisorId, new Date(startedAt - 250)))
          await job.promote().catch(() => undefined);
        throw new DelayedError();
      case 'wait_claim':
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      case 'deferred':
        // Held by a send-time rule (quiet hours): the row is already scheduled for that instant.
        await job.moveToDelayed(outcome.until.getTime(), token);
        throw new DelayedError();
      case 'retry': {
        const attempts = job.opts.attempts ?? 1;
        if (exhausted) {
          const reason = {
            code: outcome.error.code,
            message: `Gave up after ${attempts} attempts: ${outcome.error.message}`,
          };
          // WhatsApp may have the last attempt: failed at once, the message would ignore the echo
          // that records it (only a waiting row adopts one), and a manual Retry would send a
          // second copy. The row stays queued while the job waits for the echo, then only looks.
          if (waitsForEcho) {
            const notBefore = Date.now() + deps.uncertainRetryMs!;
            const held = await job
              .updateData({ ...job.data, notBefore, finalLook: reason })
              .then(() => job.moveToDelayed(notBefore, token))
              .then(
                () => true,
                () => false,
              );
            if (held) throw new DelayedError();
            // Redis could not keep the job for the look: fail now, as before.
          }
          return giveUp(deps, data, reason);
        }
        const failure = `${outcome.error.code}: ${outcome.error.message}`;
        if (!outcome.uncertain) throw new Error(failure);
        // The backoff holds the retry at least uncertainRetryMs; the job keeps that instant too,
        // so that a wake-up promoting the delayed job cannot cut the hold short.
        // (Not kept, Redis being unreachable, the backoff alone still holds it.)
        if (deps.uncertainRetryMs)
          await job
            .updateData({ ...job.data, notBefore: Date.now() + deps.uncertainRetryMs })
            .catch(() => undefined);
        throw new UncertainSendError(failure);
      }
      default:
        await releaseFair(deps, data);
        return outcome.kind;
    }
  };
}

/** Keeps a promise in `set` until it settles. */
function trackIn(set: Set<Promise<unknown>>) {
  return <T>(sending: Promise<T>): Promise<T> => {
    set.add(sending);
    const forget = () => void set.delete(sending);
    sending.then(forget, forget);
    return sending;
  };
}

/**
 * How late a reserved slot may be taken before it is stale and the job reserves anew. Within it,
 * a late send keeps what each rule promises: a slot the limiter delayed a job to may move up to
 * its burst tolerance (durationMs - interval) later without the sends ever exceeding "a burst of
 * max, then one per interval", and the pacing gap to the next slot shrinks by at most half. The
 * floor keeps scheduling jitter on the fast path where the rules leave no slack (max 1, a gap
 * floor of 0): re-reserving costs two Redis calls and moves the message behind the advisor's
 * later slots, and a job always a little late would never go.
 */
export function staleSlotAfterMs(rateLimit: RateLimit, pacing: PacingSettings | null): number {
  const burstTolerance = rateLimit.durationMs - rateLimit.durationMs / rateLimit.max;
  const pacingSlack = pacing ? pacing.minGapMs / 2 : Infinity;
  return Math.max(STALE_SLOT_FLOOR_MS, Math.min(burstTolerance, pacingSlack));
}

const STALE_SLOT_FLOOR_MS = 250;

/** From how long a wait for a slot is worth telling the advisor about. */
const LONG_HOLD_MS = 60_000;

async function noteLongHold(ctx: DomainContext, data: SendJob, until: number): Promise<void> {
  const row = await noteWhyQueued(ctx.db, data.advisorId, data.messageId, {
    code: 'waiting_for_slot',
    message: `Held by the sending limits (rate limit or account-safety pacing) until about ${new Date(until).toISOString()}.`,
  }).catch(() => null);
  if (row)
    await ctx.events
      .publish(data.advisorId, { type: 'message', data: messageView(row) as never })
      .catch(() => undefined);
}

/**
 * When the job's slot is now: the latest of the one it was given and the ones the rate limiter's
 * line and the number's pacing hold for it, which only ever move back (a time-critical message
 * took the place). Gone from the limiter's line (the slot went by long ago), the job's own. Gone
 * from the number's pacing slots, none (null): given back by a change of the rules
 * (`giveBackAhead`), or forgotten with Redis's data, it no longer counts in the gap and caps, so
 * the job must reserve anew; a pacing slot never leaves the set before a day has passed.
 */
async function slotNowOf(
  deps: SendProcessorDeps,
  data: SendJob & { slotAt: number },
  pacedNumber: string | null | undefined,
): Promise<number | null> {
  const [limiter, pacer] = await Promise.all([
    deps.limiter.slotOf(data.advisorId, data.messageId),
    deps.pacer && pacedNumber !== undefined
      ? deps.pacer.slotOf(data.advisorId, pacedNumber, data.messageId)
      : null,
  ]);
  if (deps.pacer && pacedNumber !== undefined && pacer === null) return null;
  return Math.max(data.slotAt, limiter ?? 0, pacer ?? 0);
}

/** The rules a slot was reserved under: the rate limit, and pacing when it is on. */
export function slotRulesOf(rateLimit: RateLimit, pacing: PacingSettings | null): string {
  return `${rateLimit.max}/${rateLimit.durationMs}|${pacing ? JSON.stringify(pacing) : 'off'}`;
}

/** The wait before a record-only retry with no attempt left: the backoff of the last attempt. */
function recordRetryMs(deps: SendProcessorDeps, job: Job<SendJob>): number {
  return deps.backoff ? backoffDelay(job.attemptsMade, deps.backoff) : deps.reconnectPollMs;
}

/** The message fails for good (its job ends without a retry). */
async function giveUp(
  deps: SendProcessorDeps,
  data: SendJob,
  reason: { code: string; message: string },
): Promise<never> {
  const row = await markFinished(deps.ctx.db, data.advisorId, data.messageId, 'failed', reason, new Date());
  if (row)
    await deps.ctx.events.publish(data.advisorId, { type: 'message', data: messageView(row) as never });
  await releaseFair(deps, data);
  throw new UnrecoverableError(reason.message);
}

/**
 * The run after an uncertain last attempt waited for its echo: it never sends. The message still
 * waiting (no echo recorded it) fails with the last attempt's reason; markFinished leaves alone a
 * row the echo made sent meanwhile (or one cancelled), and the job just ends.
 */
async function finalLook(
  deps: SendProcessorDeps,
  data: SendJob,
  reason: { code: string; message: string },
): Promise<string> {
  const row = await markFinished(deps.ctx.db, data.advisorId, data.messageId, 'failed', reason, new Date());
  if (!row) {
    await releaseFair(deps, data);
    return 'done';
  }
  sendsTotal.inc({ outcome: 'failed', code: reason.code });
  await deps.ctx.events.publish(data.advisorId, { type: 'message', data: messageView(row) as never });
  await releaseFair(deps, data);
  throw new UnrecoverableError(reason.message);
}

/**
 * Gives a pacing slot the message will not use back to its number. Failing (Redis away), the slot
 * only keeps counting until it ages out of the caps' windows: the send goes on, but it is logged,
 * since later sends of the number may wait behind it.
 */
async function releasePacingSlot(deps: SendProcessorDeps, data: SendJob, number: string): Promise<void> {
  if (!deps.pacer) return;
  await deps.pacer
    .release(data.advisorId, number, data.messageId)
    .catch((err: Error) =>
      deps.ctx.logger.warn(
        { err: err.message, advisorId: data.advisorId, messageId: data.messageId },
        'could not give a pacing slot back; it counts until it ages out',
      ),
    );
}

async function releaseFair(deps: SendProcessorDeps, data: SendJob): Promise<void> {
  if (data.fair) await deps.fair.release(data.advisorId, data.messageId).catch(() => undefined);
}

/**
 * Feeds a failed attempt to the burst detector; the attempt completing a burst pauses the advisor.
 * Failures count by recipient: a bad list or a restricted number fails to many clients, while
 * one client's wrong number (several messages to it, or one retried) says nothing about the
 * account. Each attempt used to count, and three messages to one client without WhatsApp, or one
 * message retried a few times, paused the advisor (test/messages/pause-one-recipient.test.ts).
 */
async function recordFailure(
  deps: SendProcessorDeps,
  data: SendJob,
  pacing: PacingSettings,
  outcome: DeliveryOutcome,
): Promise<void> {
  if (!deps.pacer || (outcome.kind !== 'retry' && outcome.kind !== 'failed')) return;
  if (!outcome.countsTowardsPause) return;
  const windowMs = pacing.failureWindowMinutes * 60_000;
  const tripped = await deps.pacer.recordFailure(data.advisorId, outcome.recipient ?? data.messageId, {
    threshold: pacing.pauseAfterFailures,
    windowMs,
  });
  if (tripped) {
    await pauseSending(deps.ctx, data.advisorId, {
      failures: pacing.pauseAfterFailures,
      windowMinutes: pacing.failureWindowMinutes,
    });
  }
}
