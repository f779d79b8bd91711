// The one entry to the outbound pipeline (manual sends, the inbox, appointment automation):
// validate, write the message and its audit entry in one atomic statement, then hand it to the queue.
// If the hand-over fails the row is still there and the sweeper enqueues it: nothing is lost.
import { createHash } from 'node:crypto';
import { isOptedOut } from '../../db/repositories/client.repository.js';
import { findByIdempotencyKey, type MessageRow } from '../../db/repositories/message.repository.js';
import { writeOutbound } from '../../db/repositories/outbox-write.repository.js';
import { readSendContext } from '../../db/repositories/send-context.repository.js';
import { ensureConfig } from '../../db/repositories/whatsapp-config.repository.js';
import { AppError } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import { APPOINTMENT_MAX_AHEAD_MS, APPOINTMENT_MAX_LENGTH_MS } from '../appointments/appointment-fields.js';
import { FOLLOW_UP_DELAY_MAX_MINUTES, readSettings } from '../instances/advisor-settings.js';
import { assertFeature, effectiveFeatures } from '../instances/features.js';
import { normalizeInternational, normalizePhone } from '../phone/index.js';
import { assertOnWhatsApp } from './check-on-whatsapp.js';
import type { MessageQueue } from './message-queue.js';
import { messageView } from './message-view.js';
import { resolveContent, type ContentRequest } from './resolve-content.js';
import { isTimeCritical } from './time-critical.js';

export interface SendRequest extends ContentRequest {
  to: string;
  clientName?: string;
  scheduledAt?: Date;
}

export interface SendOptions {
  actor: { type: 'advisor' | 'api_key' | 'admin' | 'automation'; id: string | null };
  source: 'api' | 'dashboard' | 'automation';
  purpose?: 'manual' | 'confirmation' | 'reminder' | 'follow_up' | 'rescheduled';
  appointmentId?: string;
  idempotencyKey?: string;
  /**
   * The request a repeat with the same `idempotencyKey` must match, when it is not `req` itself: a
   * send the service composes from a caller's few fields (an appointment message sent by hand)
   * compares those fields, not the text it rendered from data that may have changed since.
   */
  idempotencyBody?: unknown;
  /**
   * Throws to refuse a new message before anything is validated or written (the route's "queue
   * unreachable" 503). Called after the Idempotency-Key lookup: a repeat of a message already
   * written is answered from the database whatever the queue's state, as its first answer was.
   */
  refuseNew?: () => void;
  /**
   * `clientName` is the client row's own name (an inbox reply), not one the caller gave: it does
   * not mark the name as given, so the client's WhatsApp name keeps replacing it.
   */
  clientNameFromRecord?: boolean;
}

/** Stable hash of a request body, so a retried request can be recognised as the same one. */
export function requestHash(body: unknown): string {
  // A Date has no own keys: hashed as an object it was `{}`, and a retry with another scheduledAt
  // passed for the same request. It is hashed as the instant it names.
  const canonical = (v: unknown): unknown =>
    v instanceof Date
      ? v.toISOString()
      : v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : Array.isArray(v)
          ? v.map(canonical)
          : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

/** A scheduledAt this close to now is just "now". */
const SCHEDULE_SLACK_MS = 1_000;
const MAX_SCHEDULE_AHEAD_MS = 400 * 24 * 3_600_000;
/**
 * Automated sends are planned from appointments the API accepted: the follow-up of one starting
 * at the latest, lasting the longest, after the longest delay lies 365 + 31 + 30 days ahead, past
 * a caller's 400. It used to be stored failed (validation_failed) for a valid booking. One day
 * more for the slack of quiet hours moving a planned instant.
 */
const MAX_AUTOMATED_AHEAD_MS =
  APPOINTMENT_MAX_AHEAD_MS + APPOINTMENT_MAX_LENGTH_MS + FOLLOW_UP_DELAY_MAX_MINUTES * 60_000 + 86_400_000;
/**
 * How far in the past a scheduledAt may be and still mean "now": a caller's clock a little behind
 * ours, or a request retried after a few minutes. Further back it is a mistake (a wrong date or
 * zone), and sending at once would reach the client at an hour nobody chose.
 */
export const MAX_SCHEDULE_PAST_MS = 5 * 60_000;

function sameRequest(existing: MessageRow, hash: string): MessageRow {
  if (existing.requestHash !== hash) {
    throw new AppError(
      'idempotency_conflict',
      'This Idempotency-Key was already used with a different request body.',
    );
  }
  return existing;
}

export async function sendMessage(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  req: SendRequest,
  options: SendOptions,
): Promise<{ message: MessageRow; created: boolean }> {
  const hash = options.idempotencyKey ? requestHash(options.idempotencyBody ?? req) : null;
  if (options.idempotencyKey) {
    const existing = await findByIdempotencyKey(ctx.db, advisorId, options.idempotencyKey);
    if (existing) return { message: sameRequest(existing, hash!), created: false };
  }
  options.refuseNew?.();

  // A number written with its country code reads the same under any default country, so it can
  // be looked up with the config in one statement; a national number needs the settings first.
  const international = normalizeInternational(req.to);
  const known = international?.ok ? await readSendContext(ctx.db, advisorId, international.e164) : null;
  const config = known?.config ?? (await ensureConfig(ctx.db, advisorId));
  const settings = readSettings(config.settings, ctx.bounds);
  assertFeature(effectiveFeatures(ctx.featureDefaults, config.features), 'sending');

  const phone = international ?? normalizePhone(req.to, settings.defaultCountry as never);
  if (!phone.ok) {
    throw new AppError('invalid_phone', phone.message, {
      field: 'to',
      reason: phone.reason,
      defaultCountry: settings.defaultCountry,
    });
  }
  if (known ? known.optedOut : await isOptedOut(ctx.db, advisorId, phone.e164)) {
    throw new AppError('recipient_opted_out', `${phone.e164} asked not to receive messages (opted out).`, {
      phone: phone.e164,
    });
  }
  const content = await resolveContent(ctx, advisorId, req, { automated: options.source === 'automation' });

  const now = nowOf(ctx);
  const maxAhead = options.source === 'automation' ? MAX_AUTOMATED_AHEAD_MS : MAX_SCHEDULE_AHEAD_MS;
  if (req.scheduledAt && req.scheduledAt.getTime() - now.getTime() > maxAhead) {
    throw new AppError('validation_failed', 'scheduledAt is too far in the future (at most 400 days).', {
      fields: [{ field: 'scheduledAt', message: 'must be within 400 days' }],
    });
  }
  if (req.scheduledAt && now.getTime() - req.scheduledAt.getTime() > MAX_SCHEDULE_PAST_MS) {
    throw new AppError(
      'validation_failed',
      `scheduledAt (${req.scheduledAt.toISOString()}) is in the past; leave it out to send now.`,
      { fields: [{ field: 'scheduledAt', message: 'must not be more than 5 minutes in the past' }] },
    );
  }
  const scheduled =
    req.scheduledAt && req.scheduledAt.getTime() > now.getTime() + SCHEDULE_SLACK_MS ? req.scheduledAt : null;
  // Last, once the request is otherwise valid: it is a call to the gateway. Not for appointment
  // messages: they are written inside the appointment's transaction, which a gateway call must not
  // hold open, to the client's number the booking already took.
  if (!options.appointmentId) await assertOnWhatsApp(ctx, config, phone.e164);
  // Trimmed, and a blank name is no name: the client row keeps the last name given, and "" took
  // its place, so the inbox and the history showed the client with no name at all.
  const clientName = req.clientName?.trim() || null;

  let message: MessageRow;
  try {
    message = await writeOutbound(ctx.db, advisorId, {
      media: content.upload
        ? {
            mimetype: content.upload.mimetype,
            fileName: content.upload.fileName,
            bytes: content.upload.bytes,
          }
        : null,
      message: {
        direction: 'outbound',
        phone: phone.e164,
        clientName,
        type: content.type,
        text: content.text,
        caption: content.caption,
        mediaUrl: content.mediaUrl,
        mimetype: content.mimetype,
        fileName: content.fileName,
        templateId: content.template?.id ?? null,
        templateKey: content.template?.key ?? null,
        templateLanguage: content.template?.language ?? null,
        appointmentId: options.appointmentId ?? null,
        purpose: options.purpose ?? 'manual',
        status: scheduled ? 'scheduled' : 'queued',
        source: options.source,
        idempotencyKey: options.idempotencyKey ?? null,
        requestHash: hash,
        scheduledAt: scheduled,
      },
      audit: {
        actorType: options.actor.type,
        actorId: options.actor.id,
        action: scheduled ? 'message.schedule' : 'message.send',
        content: {
          type: content.type,
          text: content.text,
          caption: content.caption,
          mediaUrl: content.mediaUrl,
          fileName: content.fileName,
          mimetype: content.mimetype,
          template: content.template?.key ?? null,
          scheduledAt: scheduled?.toISOString() ?? null,
        },
      },
      client: {
        phone: phone.e164,
        name: clientName,
        nameGiven: clientName !== null && !options.clientNameFromRecord,
        at: now,
      },
    });
  } catch (err) {
    // Two identical requests raced past the first check: the loser answers like a repeat.
    if (
      options.idempotencyKey &&
      /whatsapp_message_idempotency_idx|duplicate key/.test(
        String((err as Error).message) + String((err as { cause?: Error }).cause?.message),
      )
    ) {
      const existing = await findByIdempotencyKey(ctx.db, advisorId, options.idempotencyKey);
      if (existing) return { message: sameRequest(existing, hash!), created: false };
    }
    throw err;
  }

  try {
    await queue.enqueue({
      id: message.id,
      advisorId,
      scheduledAt: scheduled,
      timeCritical: isTimeCritical(message),
    });
  } catch (err) {
    ctx.logger.warn(
      { err: (err as Error).message, messageId: message.id },
      'enqueue failed; the sweeper will retry',
    );
  }
  await ctx.events.publish(advisorId, {
    type: 'message',
    data: messageView(message) as unknown as Record<string, unknown>,
  });
  return { message, created: true };
}
