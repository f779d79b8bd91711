// The gateway's error bodies (reference §2). Its HTTP exceptions carry an array of messages; any other error
// (TypeError, Baileys Boom) becomes a 500 whose `message` is the raw string.

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** A thrown HttpException of the gateway: BadRequestException, NotFoundException, … */
export class EvolutionHttpError extends Error {
  constructor(
    readonly status: number,
    readonly messages: unknown[] | string,
  ) {
    super(typeof messages === 'string' ? messages : JSON.stringify(messages));
  }

  get errorName(): string {
    return ERROR_NAMES[this.status] ?? 'Internal Server Error';
  }

  /** The body the global error handler renders. */
  envelope(): { status: number; error: string; response: { message: unknown } } {
    return { status: this.status, error: this.errorName, response: { message: this.messages } };
  }

  /** The exception object itself, as routes that `res.json(error)` send it (whatsappNumbers). */
  raw(): { status: number; error: string; message: unknown } {
    return { status: this.status, error: this.errorName, message: this.messages };
  }
}

export function badRequest(...messages: unknown[]): EvolutionHttpError {
  return new EvolutionHttpError(400, messages);
}

export function notFound(...messages: unknown[]): EvolutionHttpError {
  return new EvolutionHttpError(404, messages);
}

export function forbidden(...messages: unknown[]): EvolutionHttpError {
  return new EvolutionHttpError(403, messages);
}

/** 401 is the one exception whose message is a plain string (UnauthorizedException default). */
export function unauthorized(): EvolutionHttpError {
  return new EvolutionHttpError(401, 'Unauthorized');
}

/**
 * A non-HTTP error inside the gateway: a TypeError or a Baileys Boom. `name` feeds `String(error)`
 * ("Error: Connection Closed"), `json` is what `JSON.stringify(error)` shows (own enumerable fields only).
 */
export class UnexpectedError extends Error {
  constructor(
    message: string,
    readonly errorName: 'Error' | 'TypeError' = 'Error',
    readonly json: Record<string, unknown> = {},
  ) {
    super(message);
  }

  override toString(): string {
    return `${this.errorName}: ${this.message}`;
  }
}

/** A Baileys Boom error (`new Boom(message, {statusCode})`), which serialises with its output block. */
export function boom(message: string, statusCode: number, errorName: string): UnexpectedError {
  return new UnexpectedError(message, 'Error', {
    data: null,
    isBoom: true,
    isServer: statusCode >= 500,
    output: { statusCode, payload: { statusCode, error: errorName, message }, headers: {} },
  });
}

export function connectionClosed(): UnexpectedError {
  return boom('Connection Closed', 428, 'Precondition Required');
}

export function missingSocket(property: string): UnexpectedError {
  return new UnexpectedError(`Cannot read properties of undefined (reading '${property}')`, 'TypeError');
}

/** `String(x)` of what a route caught: plain exception objects print as "[object Object]". */
export function stringify(error: unknown): string {
  if (error instanceof EvolutionHttpError) return '[object Object]';
  if (error instanceof UnexpectedError) return error.toString();
  return String(error);
}

/** The envelope of the global handler for any error (Express-style `err.status || 500`). */
export function envelopeFor(error: unknown): { status: number; body: unknown } {
  if (error instanceof EvolutionHttpError) return { status: error.status, body: error.envelope() };
  const err = error as { statusCode?: unknown; message?: unknown };
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
  const message = typeof err.message === 'string' && err.message ? err.message : 'Internal Server Error';
  return { status, body: { status, error: 'Internal Server Error', response: { message } } };
}
