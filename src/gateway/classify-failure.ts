import { GatewayError } from './errors.js';
import type { GatewayErrorCode } from './errors.js';

/**
 * Turns Evolution's failure answers into GatewayErrors (evolution-api.md §2 and §6.2).
 * Evolution's error bodies come in several shapes: the usual envelope
 * `{status, error, response:{message}}` with `message` an array (of strings, or of objects for
 * not-on-WhatsApp) or a string (401, unexpected 500s); whatsappNumbers' raw 400
 * `{status, error, message}` or a serialised Error (`{}` or Boom fields); and 200
 * `{error:true, message}` from connect/restart. Rather than trusting one path, we read every
 * string in the body: the markers we look for are specific enough not to match by accident.
 */

// A dropped or closed Baileys socket: "Connection Closed", "Error: Connection Closed".
const CONNECTION_CLOSED = /connection closed/i;
// No socket object at all: the instance never connected or is not loaded in memory. A media
// send fails first in its upload (prepareMediaMessage's waUploadToServer), before the number check.
const NO_SOCKET =
  /cannot read properties of undefined \(reading '(onWhatsApp|sendMessage|textMessage|waUploadToServer)'\)/i;
// A Baileys query to WhatsApp that got no answer in time (Boom "Timed Out", 408): in the send's
// existence check a 500 "Timed Out", inside its try (assertSessions, the device lookup, issue
// #2039) a 400 ["Error: Timed Out"]. Either way nothing was relayed yet, and asking again may pass.
const WHATSAPP_TIMED_OUT = /^(error: )?timed out$/i;
// logout on an instance whose state is already `close`.
const INSTANCE_NOT_CONNECTED = /instance is not connected/i;
const NAME_TAKEN = /already in use/i;
// sendMedia's download of an image URL, refused by the file server: prepareMediaMessage wraps the
// axios error's `String(error)` in a 500 (§3.11).
const MEDIA_DOWNLOAD_REFUSED = /^AxiosError: Request failed with status code (\d{3})$/;
// The other media kinds are fetched by Baileys (7.x getHttpStream), which throws this only when
// the file server answered with a status that is not a success, keeping the status to itself:
// a 404 and a 503 read the same. A server it cannot reach fails otherwise ("TypeError: fetch
// failed"), as a transient gateway_error.
const MEDIA_FETCH_REFUSED = /^(?:Error: )?Failed to fetch stream from \S/;
// Express' own 404 for a path it has no route for.
const UNKNOWN_ROUTE = /^cannot (get|post|put|patch|delete|head|options) \//i;

interface BodyFacts {
  strings: string[];
  notOnWhatsApp: Record<string, unknown> | null;
  /** True when the body is one of Evolution's HttpException shapes, not a serialised Error. */
  isHttpException: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(body: unknown): BodyFacts {
  const facts: BodyFacts = { strings: [], notOnWhatsApp: null, isHttpException: false };
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || facts.strings.length > 50) return;
    if (typeof value === 'string') {
      facts.strings.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (isRecord(value)) {
      if (value.exists === false && facts.notOnWhatsApp === null) facts.notOnWhatsApp = value;
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(body, 0);
  if (isRecord(body)) {
    facts.isHttpException = typeof body.error === 'string' || typeof body.status === 'number';
  }
  return facts;
}

/** The human message Evolution meant, for our error message: first string of `message`. */
function mainMessage(body: unknown, fallback: string): string {
  // A proxy's error page (nginx's "<html>…502 Bad Gateway…") is no message: it reached the
  // advisor's history as raw HTML.
  if (typeof body === 'string' && body.trim() !== '' && !/^\s*</.test(body)) return body.trim().slice(0, 300);
  if (!isRecord(body)) return fallback;
  const response = isRecord(body.response) ? body.response : body;
  const message = response.message;
  const first = Array.isArray(message) ? message[0] : message;
  if (typeof first === 'string' && first !== '') return first;
  if (isRecord(first)) return JSON.stringify(first);
  // 2.4.0's licence gate (§7) answers {error, code} with no message: "Evolution API answered HTTP
  // 503" told the operator nothing of the install waiting for its activation. Only with a `code`:
  // an HttpException's `error` is the status's reason phrase ("Bad Request"), no message at all.
  if (typeof body.error === 'string' && body.error !== '' && typeof body.code === 'string')
    return `${body.error} (${body.code})`;
  return fallback;
}

function matches(facts: BodyFacts, pattern: RegExp): boolean {
  return facts.strings.some((text) => pattern.test(text));
}

/** Whether a not_connected error says the instance was simply already logged out. */
export function isAlreadyDisconnected(error: GatewayError): boolean {
  return error.code === 'not_connected' && error.details?.reason === 'instance_not_connected';
}

function notConnectedReason(facts: BodyFacts): string | null {
  if (matches(facts, CONNECTION_CLOSED)) return 'connection_closed';
  if (matches(facts, NO_SOCKET)) return 'no_socket';
  if (matches(facts, INSTANCE_NOT_CONNECTED)) return 'instance_not_connected';
  return null;
}

function parseRetryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * How a media URL's file server refused the download, when asking again gets the same answer:
 * for an image, its status (a 4xx, but not 408, it timed out, or 429, it asks us to slow down,
 * which may pass); for another kind, `unnamed`. Evolution does not say that one's status, and
 * it is far more often a dead or expired link than a server in passing trouble: retried, it
 * failed only after every attempt, each counted towards the account-safety pause. A server's
 * passing 5xx then fails the message at once too; the advisor may retry it.
 */
function refusedDownload(facts: BodyFacts): number | 'unnamed' | null {
  for (const text of facts.strings) {
    const status = Number(MEDIA_DOWNLOAD_REFUSED.exec(text)?.[1]);
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return status;
    if (MEDIA_FETCH_REFUSED.test(text)) return 'unnamed';
  }
  return null;
}

export interface HttpFailure {
  status: number;
  body: unknown;
  /** `Retry-After` header, if any (a proxy's 429). */
  retryAfter?: string | undefined;
  /** True for the 200 `{error:true, message}` that connect and restart answer with. */
  embedded?: boolean;
}

export function classifyHttpFailure(failure: HttpFailure): GatewayError {
  const { status, body } = failure;
  const facts = readBody(body);
  const message = mainMessage(body, `Evolution API answered HTTP ${status}`);
  const make = (code: GatewayErrorCode, details?: Record<string, unknown>) =>
    new GatewayError({ code, message, status, ...(details ? { details } : {}) });

  if (status === 401) return make('unauthorized');
  if (status === 403) return make(matches(facts, NAME_TAKEN) ? 'instance_name_taken' : 'unauthorized');
  if (status === 404) {
    if (matches(facts, UNKNOWN_ROUTE)) return make('endpoint_not_found');
    // Evolution's own 404 is its error envelope ("The \"x\" instance does not exist", §6.2).
    // Any other body is a proxy in front that cannot route to it (Traefik's "404 page not found"
    // while the Evolution container restarts, an nginx page): the instance may be alive and well,
    // and reading it as gone marked linked numbers disconnected and "deleted" live instances.
    return facts.isHttpException ? make('instance_not_found') : make('gateway_error');
  }
  if (status === 408) return make('gateway_timeout', { phase: 'response' });
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(failure.retryAfter);
    return make('gateway_rate_limited', retryAfterMs === undefined ? undefined : { retryAfterMs });
  }
  if (status === 400 && facts.notOnWhatsApp !== null) {
    const { jid, number } = facts.notOnWhatsApp;
    // Evolution's message is the raw {jid, exists, number} object: say it in words instead.
    const who =
      typeof number === 'string' && number !== '' ? number : typeof jid === 'string' ? jid : 'The number';
    return new GatewayError({
      code: 'not_on_whatsapp',
      message: `${who} has no WhatsApp account.`,
      status,
      details: { jid, number },
    });
  }
  const refused = status === 500 ? refusedDownload(facts) : null;
  if (refused !== null) {
    const downloadStatus = refused === 'unnamed' ? null : refused;
    return new GatewayError({
      code: 'media_unavailable',
      message: `The media file could not be downloaded from its URL: ${downloadStatus === null ? 'its file server answered with an HTTP error' : `the file server answered HTTP ${downloadStatus}`}.`,
      status,
      details: { downloadStatus },
    });
  }
  const reason = notConnectedReason(facts);
  if (reason !== null) return make('not_connected', { reason });

  if (status === 400 && matches(facts, WHATSAPP_TIMED_OUT)) {
    // WhatsApp's silence, not a refusal of our request: read as bad_request, the message failed
    // for good at once. The same error as the 500 "Timed Out" of the number check, so the same
    // code (an error of WhatsApp's, which counts towards the account-safety pause like it).
    return make('gateway_error');
  }
  if (status === 400) {
    // whatsappNumbers answers 400 with a serialised Error for internal failures: that is a 500.
    return make(facts.isHttpException || typeof body === 'string' ? 'bad_request' : 'gateway_error');
  }
  if (status > 400 && status < 500) return make('bad_request');
  if (status === 504) return make('gateway_timeout', { phase: 'response' });
  if (status >= 500 || failure.embedded === true) return make('gateway_error');
  return make('unexpected_response');
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * Failures before any connection was open, so the request never left: a refused connection, a
 * name that does not resolve, for good (ENOTFOUND) or for now (EAI_AGAIN: a DNS server that did
 * not answer). The others may strike a kept-alive socket mid-request.
 */
const CONNECT_PHASE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** The errno-style code of a network error, looking through causes and AggregateErrors. */
function networkCode(error: unknown, depth = 0): string | null {
  if (!isRecord(error) && !(error instanceof Error)) return null;
  const record = error as Record<string, unknown>;
  if (typeof record.code === 'string') return record.code;
  if (depth > 3) return null;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = networkCode(inner, depth + 1);
      if (code !== null) return code;
    }
  }
  return networkCode(record.cause, depth + 1);
}

export interface NetworkFailure {
  error: unknown;
  /** Our own total-time budget ran out (the request may have reached Evolution). */
  timedOut: boolean;
  timeoutMs: number;
}

/**
 * Failures with no HTTP answer. `details.phase` tells a caller whether the request may have
 * been processed: `connect` means it never left, `response` means it might have (a send could
 * have gone out, and Evolution has no idempotency key).
 */
export function classifyNetworkFailure(failure: NetworkFailure): GatewayError {
  const code = networkCode(failure.error);
  if (failure.timedOut) {
    return new GatewayError({
      code: 'gateway_timeout',
      message: `Evolution API did not answer within ${failure.timeoutMs} ms`,
      details: { phase: 'response', timeoutMs: failure.timeoutMs },
      cause: failure.error,
    });
  }
  if (code !== null && TIMEOUT_CODES.has(code)) {
    const phase = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect' : 'response';
    return new GatewayError({
      code: 'gateway_timeout',
      message: `Evolution API timed out (${code})`,
      details: { phase, networkCode: code },
      cause: failure.error,
    });
  }
  if (code !== null && UNREACHABLE_CODES.has(code)) {
    return new GatewayError({
      code: 'gateway_unreachable',
      message: `Evolution API is unreachable (${code})`,
      details: {
        phase: CONNECT_PHASE_CODES.has(code) ? 'connect' : 'response',
        networkCode: code,
      },
      cause: failure.error,
    });
  }
  return new GatewayError({
    code: 'gateway_error',
    message: `Request to Evolution API failed: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}`,
    details: code === null ? {} : { networkCode: code },
    cause: failure.error,
  });
}
