// The webhook's request half: read the body, find the instance it names, verify the request came
// from that instance, and store the event for the worker. Nothing else happens before the
// acknowledgement, so the gateway gets its 2xx fast and a crash after it loses nothing.
import type { Logger } from 'pino';
import { parseWebhook, WebhookParseError, type ParsedWebhook } from '../../gateway/index.js';
import { AppError } from '../app-error.js';
import { jsonbSafe, TooDeepError } from './jsonb-safe.js';
import { verifyWebhookRequest, type RejectReason, type WebhookHeaders } from './verify-webhook-request.js';
import { arrivalReceipts } from './apply-message-status.js';
import { sentConfirmationIds } from './settled-echoes.js';
import { AdvisorGoneError, type WebhookEventWriter } from './webhook-event-writer.js';
import { LogBudget } from '../../observability/log-budget.js';
import { countRejection, webhookStats } from './webhook-stats.js';
import type { WebhookTenants } from './webhook-tenants.js';

export interface IncomingWebhook {
  rawBody: Buffer | undefined;
  headers: WebhookHeaders;
  /** The byEvents path suffix, when the request came to /webhook/:event. */
  pathEvent?: string | undefined;
  /** For the log line of a rejection. */
  ip?: string;
}

/**
 * Not stored: an event we do not act on, or echoes (and SERVER_ACK receipts) of sends already
 * recorded (webhookStats tells which).
 */
export type WebhookReceipt =
  { stored: true; eventId: number; event: string } | { stored: false; event: string };

// Our instance names are generated slugs (instanceNameFor). Anything else, such as a NUL the
// database would refuse, cannot be one of ours: it is an unknown instance, not a query.
const INSTANCE_NAME = /^[\w.@:-]{1,128}$/;
const MAX_INSTANCE_NAME = 128;

/**
 * Envelope fields that carry a credential (evolution-api.md §4.3): with
 * AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true, Evolution puts the instance token in clear in
 * `apikey` of every delivery. We never read it, and it must not reach webhook_event (credentials
 * are only stored sealed) nor any log line: it is dropped before the event is stored.
 */
export const ENVELOPE_CREDENTIAL_FIELDS = ['apikey'] as const;

function withoutCredentials(envelope: unknown): unknown {
  // Anything but an object is refused by the parser right after; only an object can carry one.
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) return envelope;
  const fields = envelope as Record<string, unknown>;
  for (const field of ENVELOPE_CREDENTIAL_FIELDS) delete fields[field];
  return fields;
}

function invalid(message: string, details: Record<string, unknown> = {}): AppError {
  webhookStats.invalid += 1;
  return new AppError('invalid_webhook_payload', message, details);
}

/**
 * Events that change the connection's state (QR, open, close, logout) are checked against the
 * instance's secret as stored now, never a cached one. For a few seconds after an advisor removed
 * their instance the cache still held its secret; when they connected again meanwhile (the same
 * instance name, a new secret), a late delivery of the removed instance (its logout's close) was
 * applied to the new connection and turned its QR into "disconnected" with a logout alert. Such
 * events are few; receipts and messages, the many, keep the cache (a late receipt of the removed
 * instance is still a fact about the advisor's message).
 */
const CONNECTION_STATE_EVENT = /^(connection[._-]update|qrcode[._-]updated|logout[._-]instance)$/i;

function changesConnectionState(body: object, pathEvent: string | undefined): boolean {
  const named = (body as { event?: unknown }).event;
  const event = typeof named === 'string' ? named : pathEvent;
  return event !== undefined && CONNECTION_STATE_EVENT.test(event.trim());
}

export class WebhookReceiver {
  /** A flood of forged requests must not become a flood of log lines (ww_webhook_rejections_total counts every one). */
  private readonly rejections: LogBudget;

  constructor(
    private readonly tenants: WebhookTenants,
    private readonly writer: WebhookEventWriter,
    private readonly logger: Logger,
  ) {
    this.rejections = new LogBudget(logger, 'webhook rejected');
  }

  async receive(incoming: IncomingWebhook): Promise<WebhookReceipt> {
    const receivedAt = new Date();
    const { rawBody } = incoming;
    if (!rawBody || rawBody.length === 0) throw invalid('The webhook body is empty.');
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw invalid('The webhook body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalid('The webhook body must be a JSON object (an Evolution envelope).');
    }
    const instance = (body as { instance?: unknown }).instance;
    if (typeof instance !== 'string' || instance.length === 0) {
      throw invalid('The webhook body names no instance.');
    }

    // Who is it? Only an instance we created, proven by its own secret.
    const fresh = changesConnectionState(body, incoming.pathEvent);
    let tenant = INSTANCE_NAME.test(instance) ? await this.tenants.find(instance, { fresh }) : null;
    let check = tenant ? verifyWebhookRequest(incoming.headers, rawBody, tenant.secret) : null;
    if (tenant && check && !check.ok && !tenant.fresh) {
      tenant = await this.tenants.find(instance, { fresh: true });
      check = tenant ? verifyWebhookRequest(incoming.headers, rawBody, tenant.secret) : null;
    }
    if (!tenant || !check || !check.ok) {
      this.reject(check && !check.ok ? check.reason : 'unknown_instance', instance, incoming.ip);
    }

    let parsed: ParsedWebhook;
    let payload: unknown;
    try {
      payload = withoutCredentials(jsonbSafe(body));
      parsed = parseWebhook(payload, { pathEvent: incoming.pathEvent, receivedAt });
    } catch (err) {
      if (err instanceof WebhookParseError) throw invalid(err.message, err.details);
      if (err instanceof TooDeepError) throw invalid(err.message);
      throw err;
    }
    if (parsed.events.every((e) => e.type === 'ignored')) {
      webhookStats.ignored += 1;
      return { stored: false, event: parsed.event };
    }
    let eventId: number | null;
    try {
      eventId = await this.writer.write(
        { advisorId: tenant!.advisorId, event: parsed.event, payload, receivedAt },
        sentConfirmationIds(parsed.events),
        arrivalReceipts(parsed.events),
      );
    } catch (err) {
      // The account was removed since its instance's secret was cached: as from an unknown
      // instance, which is what the next lookup finds (it used to be a 500).
      if (err instanceof AdvisorGoneError) this.reject('unknown_instance', instance, incoming.ip);
      throw err;
    }
    // Settled echoes and receipts applied on arrival: nothing left to store (the writer counts them).
    if (eventId === null) return { stored: false, event: parsed.event };
    webhookStats.accepted += 1;
    return { stored: true, eventId, event: parsed.event };
  }

  private reject(reason: RejectReason, instance: string, ip: string | undefined): never {
    countRejection(reason);
    this.rejections.spend(reason, () =>
      this.logger.warn(
        { reason, instance: JSON.stringify(instance.slice(0, MAX_INSTANCE_NAME)), ip },
        'webhook rejected',
      ),
    );
    throw new AppError(
      'invalid_webhook_credentials',
      'The webhook request could not be verified for this instance.',
    );
  }
}
