// The one error type the service throws on purpose. Each code maps to exactly one HTTP status,
// and the API's error handler renders { error: { code, message, details } } from it.

export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  invalid_webhook_payload: 400,
  unauthorized: 401,
  invalid_webhook_credentials: 401,
  forbidden: 403,
  feature_disabled: 403,
  not_found: 404,
  route_not_found: 404,
  request_timeout: 408,
  conflict: 409,
  idempotency_conflict: 409,
  state_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  validation_failed: 422,
  invalid_phone: 422,
  invalid_template: 422,
  unknown_variable: 422,
  missing_variable: 422,
  recipient_opted_out: 422,
  not_on_whatsapp: 422,
  rate_limited: 429,
  service_unavailable: 503,
  database_unavailable: 503,
  redis_unavailable: 503,
  gateway_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
