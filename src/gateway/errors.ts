/**
 * The one error type the gateway throws. Callers steer on `kind`:
 * - `permanent`: retrying the same call cannot succeed (bad number, bad key, unknown instance…);
 * - `not_connected`: the instance has no live WhatsApp session; retry after it reconnects;
 * - `transient`: network trouble, timeouts, 5xx, 429; retry with backoff and jitter.
 * `code` is stable snake_case and each code has exactly one kind (the table below), so a caller
 * may switch on either without the two ever disagreeing.
 */
export type GatewayErrorKind = 'permanent' | 'not_connected' | 'transient';

const KIND_BY_CODE = {
  invalid_number: 'permanent',
  not_on_whatsapp: 'permanent',
  unauthorized: 'permanent',
  instance_not_found: 'permanent',
  instance_name_taken: 'permanent',
  // A 404 for the route itself ("Cannot GET /x"): a wrong base URL or an unsupported version,
  // kept apart from instance_not_found so nobody "repairs" it by re-creating instances.
  endpoint_not_found: 'permanent',
  bad_request: 'permanent',
  // Evolution could not download a media URL because its file server refused (404, 403, 410…):
  // the same URL will be refused again, however often the send is tried.
  media_unavailable: 'permanent',
  // Permanent on purpose: a 2xx we cannot read may still mean the message went out, and
  // retrying a send would deliver it twice.
  unexpected_response: 'permanent',
  not_connected: 'not_connected',
  gateway_timeout: 'transient',
  gateway_unreachable: 'transient',
  gateway_error: 'transient',
  gateway_rate_limited: 'transient',
} as const satisfies Record<string, GatewayErrorKind>;

export type GatewayErrorCode = keyof typeof KIND_BY_CODE;

export const GATEWAY_ERROR_CODES = Object.keys(KIND_BY_CODE) as GatewayErrorCode[];

export function kindOfCode(code: GatewayErrorCode): GatewayErrorKind {
  return KIND_BY_CODE[code];
}

export interface GatewayErrorInit {
  code: GatewayErrorCode;
  message: string;
  /** HTTP status of Evolution's answer, absent for network failures and client-side checks. */
  status?: number;
  /** Machine-readable extras (never secrets): the offending number, the timeout phase, … */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly kind: GatewayErrorKind;
  readonly code: GatewayErrorCode;
  readonly status?: number;
  readonly details?: Record<string, unknown>;

  constructor(init: GatewayErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.kind = kindOfCode(init.code);
    if (init.status !== undefined) this.status = init.status;
    if (init.details !== undefined) this.details = init.details;
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/**
 * Whether a failed call may still have done its work: the request left and no answer came back
 * (our timeout, a connection dropped mid-request), or a proxy in front of Evolution gave up
 * waiting for it (504). A send failing this way may have reached WhatsApp. An answer from
 * Evolution itself (its 408 when a WhatsApp query timed out, a 5xx) reports its own outcome.
 */
export function mayHaveBeenProcessed(error: GatewayError): boolean {
  if (error.details?.phase !== 'response') return false;
  return error.status === undefined || error.status === 504;
}

/**
 * A webhook body we cannot read. The route answers 400, which Evolution treats as "do not
 * retry": a malformed body will not become readable on the tenth attempt.
 */
export class WebhookParseError extends Error {
  override readonly name = 'WebhookParseError';

  constructor(
    message: string,
    readonly details: { event?: string; issues?: { path: string; message: string }[] } = {},
  ) {
    super(message);
  }
}
