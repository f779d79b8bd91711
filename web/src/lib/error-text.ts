// Turns an API error into words an advisor understands. Codes come from API.md's error body;
// better-auth's own reasons arrive in details.authCode.
import type { MessageKey } from '../i18n/es';
import type { Translate } from '../i18n/i18n-context';
import { ApiError } from './api-client';

const KNOWN: Record<string, MessageKey> = {
  network_error: 'err.network_error',
  invalid_json: 'err.invalid_request',
  invalid_request: 'err.invalid_request',
  validation_failed: 'err.validation_failed',
  unauthorized: 'err.unauthorized',
  forbidden: 'err.forbidden',
  feature_disabled: 'err.feature_disabled',
  not_found: 'err.not_found',
  route_not_found: 'err.route_not_found',
  conflict: 'err.conflict',
  idempotency_conflict: 'err.idempotency_conflict',
  state_conflict: 'err.state_conflict',
  payload_too_large: 'err.payload_too_large',
  // Node's HTTP parser's refusals (error-handler.ts answerClientError): a large upload on a slow
  // link, and headers (cookies) past Node's size limit.
  request_timeout: 'err.request_timeout',
  headers_too_large: 'err.headers_too_large',
  unsupported_media_type: 'err.unsupported_media_type',
  invalid_phone: 'err.invalid_phone',
  invalid_template: 'err.invalid_template',
  unknown_variable: 'err.unknown_variable',
  missing_variable: 'err.missing_variable',
  recipient_opted_out: 'err.recipient_opted_out',
  not_on_whatsapp: 'err.not_on_whatsapp',
  media_unavailable: 'err.media_unavailable',
  waiting_for_slot: 'err.waiting_for_slot',
  rate_limited: 'err.rate_limited',
  service_unavailable: 'err.service_unavailable',
  database_unavailable: 'err.service_unavailable',
  redis_unavailable: 'err.service_unavailable',
  gateway_unavailable: 'err.gateway_unavailable',
  internal_error: 'err.internal_error',
};

const AUTH: [RegExp, MessageKey][] = [
  [/INVALID_EMAIL_OR_PASSWORD|INVALID_PASSWORD|CREDENTIAL/, 'err.auth.invalid_credentials'],
  [/USER_ALREADY_EXISTS/, 'err.auth.user_exists'],
  [/PASSWORD_TOO_SHORT/, 'err.auth.password_short'],
  [/PASSWORD_TOO_LONG/, 'err.auth.password_long'],
  [/INVALID_EMAIL/, 'err.auth.invalid_email'],
];

export interface ErrorWords {
  text: string;
  /** The server's own sentence or a reference, for the curious and for support. */
  detail: string | null;
}

export function errorWords(err: unknown, t: Translate): ErrorWords {
  if (!(err instanceof ApiError))
    return { text: t('err.unexpected'), detail: err instanceof Error ? err.message : null };
  const authCode = typeof err.details.authCode === 'string' ? err.details.authCode : '';
  const auth = AUTH.find(([re]) => re.test(authCode));
  if (auth) return { text: t(auth[1]), detail: null };
  if (err.code === 'rate_limited' && err.retryAfterSeconds) {
    return { text: t('err.rate_limited_wait', { seconds: err.retryAfterSeconds }), detail: null };
  }
  // A retry of a message whose uploaded file retention deleted (retry-message.ts): not a change to
  // reload for, as the generic state_conflict words say, but a file to send again.
  if (err.code === 'state_conflict' && err.details.reason === 'media_deleted')
    return { text: t('err.media_deleted'), detail: null };
  const key = KNOWN[err.code];
  const errorId = typeof err.details.errorId === 'string' ? err.details.errorId : null;
  if (errorId) return { text: t(key ?? 'err.internal_error'), detail: t('err.reference', { id: errorId }) };
  if (key) {
    // A state_conflict's sentence names the state in the server's English ("This appointment was
    // cancelled."): under words in the advisor's language it reads as a second, foreign answer.
    // The screen that knows the state says it in their words instead.
    const showServer =
      err.status >= 400 &&
      err.status < 500 &&
      ![401, 404].includes(err.status) &&
      err.code !== 'state_conflict' &&
      err.message;
    return { text: t(key), detail: showServer ? err.message : null };
  }
  if (err.status === 404) return { text: t('err.not_found'), detail: null };
  if (err.status >= 500) return { text: t('err.internal_error'), detail: err.message || null };
  return { text: err.message || t('err.unexpected'), detail: null };
}

// Why a message did not go out, failed or waits: message outcomes, not HTTP errors (API-EXTENSIONS,
// Message; ARCHITECTURE, "Appointment automation"). The server words them in English, some with a
// UTC instant in them ("The reminder time (2026-12-05T11:22:50.493Z) had already passed…"): said
// in the advisor's words instead, and the time is the row's own, shown in their zone.
const OUTCOMES: Record<string, MessageKey> = {
  cancelled_by_advisor: 'msg.reason.cancelled_by_advisor',
  appointment_cancelled: 'msg.reason.appointment_cancelled',
  replaced_by_manual_send: 'msg.reason.replaced_by_manual_send',
  rescheduled: 'msg.reason.rescheduled',
  appointment_in_past: 'msg.reason.appointment_in_past',
  appointment_started: 'msg.reason.appointment_started',
  appointment_rescheduled: 'msg.reason.appointment_rescheduled',
  appointment_missing: 'msg.reason.appointment_missing',
  reminder_time_passed: 'msg.reason.reminder_time_passed',
  follow_up_time_passed: 'msg.reason.follow_up_time_passed',
  quiet_hours: 'msg.reason.quiet_hours',
  // The gateway's reasons (the Evolution API's words, or ours about it).
  invalid_number: 'err.invalid_phone',
  not_connected: 'msg.reason.not_connected',
  gateway_timeout: 'msg.reason.gateway',
  gateway_unreachable: 'msg.reason.gateway',
  gateway_error: 'msg.reason.gateway',
  bad_request: 'msg.reason.refused',
  unexpected_response: 'msg.reason.refused',
};

/**
 * Why a message is as it is, from its `error` ({ code, message }): our words when we know the
 * code. `status` tells a reminder quiet hours hold (`scheduled` until they end) from one they
 * made skip.
 */
export function messageErrorText(
  error: { code: string; message: string },
  t: Translate,
  status?: string,
): string {
  if (error.code === 'quiet_hours' && status === 'scheduled') return t('msg.reason.quiet_hours_held');
  if (error.code === 'internal_error') return internalErrorText(error.message, t, status);
  const outcome = OUTCOMES[error.code];
  if (outcome) return t(outcome);
  const key = KNOWN[error.code];
  return key ? t(key) : error.message;
}

// The server's reference in a message an error of its own stopped ("… (error id <uuid>) …":
// fail-on-internal-error.ts, deliver-message.ts), which the service's log line repeats.
const ERROR_ID = /error id ([0-9a-f-]{36})/i;

/**
 * A message the pipeline failed by an error of its own, in the advisor's words with the reference
 * support needs; one still waiting after such an error (its attempt will run again) says so. The
 * server's sentence is English, and on a waiting row it used to be the raw error of the attempt.
 */
function internalErrorText(message: string, t: Translate, status?: string): string {
  if (status !== 'failed') return t('msg.reason.internal_retrying');
  const id = ERROR_ID.exec(message)?.[1];
  return id ? t('msg.reason.internal', { id }) : t('err.internal_error');
}
