// The one place that turns errors into the documented body { error: { code, message, details } }.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, ERROR_STATUS } from '../../domain/app-error.js';
import { dependencyDown } from '../../domain/dependency-down.js';
import { isGatewayError } from '../../gateway/index.js';
import { redisUnavailable } from '../queue-ready.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a route answers for a body over its limit, when it can say more than "too large". */
    bodyTooLarge?: () => AppError;
  }
}

/** The documented error body: every error answer, from a route or from the HTTP parser, is this. */
export function errorBody(err: AppError): { error: { code: ErrorCode; message: string; details: unknown } } {
  return { error: { code: err.code, message: err.message, details: err.details } };
}

export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  return reply.status(err.status).send(errorBody(err));
}

const FASTIFY_CODES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_json', 'The request body is empty but Content-Type says JSON.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'The request body is too large.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    'unsupported_media_type',
    'Unsupported Content-Type: send application/json.',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['invalid_request', 'Content-Length does not match the body.'],
};

function toAppError(err: FastifyError | Error, request: FastifyRequest): AppError | null {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const fields = err.validation.map((v) => ({
      field: [v.instancePath.replace(/^\//, '').replace(/\//g, '.') || (err.validationContext ?? 'body')]
        .filter(Boolean)
        .join('.'),
      message: v.message ?? 'is invalid',
    }));
    const list = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return new AppError('invalid_request', `Invalid ${err.validationContext ?? 'request'}: ${list}`, {
      fields,
    });
  }
  const fastifyCode = (err as FastifyError).code;
  const bodyTooLarge = request.routeOptions.config.bodyTooLarge;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' && bodyTooLarge) return bodyTooLarge();
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
    const [code, message] = FASTIFY_CODES[fastifyCode];
    return new AppError(code, message);
  }
  if (err instanceof SyntaxError && (err as FastifyError).statusCode === 400) {
    return new AppError('invalid_json', 'The request body is not valid JSON.');
  }
  // Safety net: a gateway failure that escaped its use case is still the gateway's outage.
  if (isGatewayError(err)) {
    return new AppError(
      'gateway_unavailable',
      'The WhatsApp gateway is unavailable; try again in a moment.',
      {
        gatewayCode: err.code,
      },
    );
  }
  const statusCode = (err as FastifyError).statusCode;
  if (statusCode === 429) {
    // The API limiter throws the body its errorResponseBuilder made: keep its message and details.
    const built = (err as { error?: { message?: unknown; details?: unknown } }).error;
    return typeof built?.message === 'string'
      ? new AppError('rate_limited', built.message, (built.details ?? {}) as Record<string, unknown>)
      : new AppError('rate_limited', 'Too many requests: slow down and retry later.');
  }
  // PostgreSQL refuses a NUL character in text (22021) whether it came in a path, a query or a
  // body: the caller's input, not our failure.
  if (hasCode(err, ['22021', '22P05'])) {
    return new AppError('invalid_request', 'The request contains a character that cannot be stored (NUL).');
  }
  // A date or time zone offset PostgreSQL cannot hold (22008, 22009). The schemas refuse such
  // instants (src/api/schemas/instant.schema.ts); this keeps any path they miss a 400, not a 500.
  if (hasCode(err, ['22008', '22009'])) {
    return new AppError('invalid_request', 'A date in the request is outside the range that can be stored.');
  }
  const down = dependencyDown(err);
  if (down === 'redis') return redisUnavailable();
  if (down === 'database')
    return new AppError('database_unavailable', 'The database is unavailable; try again shortly.');
  if (statusCode && statusCode >= 400 && statusCode < 500 && !isResponseSerializationError(err)) {
    const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === statusCode);
    return new AppError(code ?? 'invalid_request', err.message || `Request to ${request.url} is invalid.`);
  }
  return null;
}

/**
 * What a request Node's HTTP parser refused gets (Fastify's `clientErrorHandler`): the documented
 * body, as every other error. Such a request never reaches the app, and Fastify's default answered
 * {"error":"Bad Request","message":"Client Error","statusCode":400}: a header value holding a
 * control character (an Idempotency-Key), headers over Node's size limit, bytes after a body
 * shorter than its Content-Length.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has no one to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new AppError('request_timeout', 'The request took too long to arrive; send it again.')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new AppError('headers_too_large', 'The request headers are too large.')
        : new AppError(
            'invalid_request',
            'The request is not valid HTTP: a malformed request line or header (a header value holding a control character).',
          );
  const body = JSON.stringify(errorBody(error));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    const appError = toAppError(err, request);
    if (appError) {
      // A process shutting down refuses on purpose (/ready while draining, requests while closing):
      // expected on every deploy, so not a warning.
      const stopping = appError.details?.draining === true || appError.details?.shuttingDown === true;
      if (stopping) request.log.info({ code: appError.code }, 'refused: shutting down');
      else if (appError.status >= 500)
        request.log.warn({ err, code: appError.code }, 'dependency unavailable');
      return sendError(reply, appError);
    }
    const errorId = randomUUID();
    request.log.error({ err, errorId }, 'unexpected error');
    return sendError(reply, new AppError('internal_error', 'Something went wrong on our side.', { errorId }));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // The router refuses an over-long parameter only when no other route matches; where a
    // catch-all does (every GET has the dashboard's) or no route has a parameter there, the path
    // lands here. It is the same mistake, so it gets the same answer.
    if (hasOverLongSegment(path)) return sendError(reply, overLongSegment());
    return sendError(reply, new AppError('route_not_found', `No route ${request.method} ${path}.`));
  });
}

/** The router's bound on one path segment (decoded), and the answer past it. */
export const MAX_PATH_SEGMENT_LENGTH = 500;

export function overLongSegment(): AppError {
  return new AppError(
    'invalid_request',
    `A path segment is longer than ${MAX_PATH_SEGMENT_LENGTH} characters.`,
  );
}

function hasOverLongSegment(path: string): boolean {
  if (path.length <= MAX_PATH_SEGMENT_LENGTH) return false;
  return path.split('/').some((segment) => decodedLength(segment) > MAX_PATH_SEGMENT_LENGTH);
}

/** Measured as the router measures a parameter: after %-decoding (as is, when it does not decode). */
function decodedLength(segment: string): number {
  if (segment.length <= MAX_PATH_SEGMENT_LENGTH) return segment.length;
  try {
    return decodeURIComponent(segment).length;
  } catch {
    return segment.length;
  }
}

/** Whether the error, or one it wraps (Drizzle, better-auth), carries one of these SQLSTATE codes. */
function hasCode(err: unknown, codes: string[], depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && codes.includes(e.code)) return true;
  return hasCode(e.cause, codes, depth + 1);
}
