import { Pool } from 'undici';
import { classifyNetworkFailure } from './classify-failure.js';

/** The slice of pino the gateway uses; any pino logger fits. */
export interface GatewayLogger {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export const silentLogger: GatewayLogger = { debug: () => {}, warn: () => {} };

export interface HttpTransportOptions {
  /** Evolution's address, optionally with a path prefix (the sandbox serves it under /_emulator). */
  baseUrl: string;
  connectTimeoutMs: number;
  /** Budget for the whole exchange: connect, headers and body. */
  requestTimeoutMs: number;
  /** Upper bound on sockets to Evolution; more concurrent calls wait in the pool's queue. */
  maxConnections: number;
  logger: GatewayLogger;
}

export interface EvolutionRequest {
  /** Evolution's name for the call, for logs and errors. */
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  apikey: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Added to the budget for calls that legitimately block (sendText's typing `delay`). */
  extraTimeoutMs?: number;
}

export interface EvolutionResponse {
  status: number;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  retryAfter: string | undefined;
}

/**
 * One keep-alive connection pool to Evolution for the whole process. It only moves bytes and
 * turns network failures and timeouts into GatewayErrors; judging statuses is the client's job.
 */
export class EvolutionHttp {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(private readonly options: HttpTransportOptions) {
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connect: { timeout: options.connectTimeoutMs },
      connections: options.maxConnections,
      keepAliveTimeout: 30_000,
    });
  }

  async send(request: EvolutionRequest): Promise<EvolutionResponse> {
    const timeoutMs = this.options.requestTimeoutMs + (request.extraTimeoutMs ?? 0);
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const started = performance.now();
    const logDetails = { operation: request.operation, method: request.method, path: request.path };
    try {
      const response = await this.pool.request({
        method: request.method,
        path: this.buildPath(request),
        headers: this.buildHeaders(request),
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal: abort.signal,
      });
      // Read the body in full, even for errors, so the socket goes back to the pool.
      const text = await response.body.text();
      const retryAfter = response.headers['retry-after'];
      this.options.logger.debug(
        { ...logDetails, status: response.statusCode, durationMs: Math.round(performance.now() - started) },
        'evolution call',
      );
      return {
        status: response.statusCode,
        body: parseBody(text),
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      };
    } catch (error) {
      const failure = classifyNetworkFailure({ error, timedOut, timeoutMs });
      this.options.logger.warn(
        { ...logDetails, code: failure.code, durationMs: Math.round(performance.now() - started) },
        'evolution call failed',
      );
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private buildPath(request: EvolutionRequest): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) params.set(name, value);
    }
    const query = params.toString();
    return `${this.basePath}${request.path}${query === '' ? '' : `?${query}`}`;
  }

  private buildHeaders(request: EvolutionRequest): Record<string, string> {
    const headers: Record<string, string> = { apikey: request.apikey, accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    return headers;
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
