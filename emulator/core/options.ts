// Defaults for EmulatorOptions. The real gateway's timings are the defaults; `fastTimings` is the preset for
// playing with the emulator by hand (`--fast`).
import type { EmulatorOptions } from '../server.js';

export interface StatusDelays {
  serverAck: number;
  deliveryAck: number;
  read: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  jitter: number;
}

export interface Settings {
  apiKey: string;
  host: string;
  port: number;
  serverUrl: string | undefined;
  timezone: string;
  createQrWaitMs: number;
  connectWaitMs: number;
  qrTimeoutMs: number;
  firstQrDelayMs: number;
  qrLimit: number;
  statusDelaysMs: StatusDelays | null;
  webhookTimeoutMs: number;
  webhookRetry: RetryPolicy;
  logger: boolean;
  exposeApiKeyInWebhooks: boolean;
  reconnectDelayMs: number;
  removeDelayMs: number;
}

export const REAL_RETRY: RetryPolicy = {
  maxAttempts: 10,
  initialDelayMs: 5_000,
  maxDelayMs: 300_000,
  jitter: 0.2,
};

// Receipts arrive a moment after a send on a healthy phone; READ only once the recipient opens the chat.
export const DEFAULT_STATUS_DELAYS: StatusDelays = { serverAck: 300, deliveryAck: 1_200, read: 4_000 };

export const fastTimings: Partial<EmulatorOptions> = {
  createQrWaitMs: 300,
  connectWaitMs: 200,
  qrTimeoutMs: 20_000,
  statusDelaysMs: { serverAck: 100, deliveryAck: 300, read: 1_000 },
  webhookRetry: { maxAttempts: 10, initialDelayMs: 500, maxDelayMs: 10_000, jitter: 0.2 },
  reconnectDelayMs: 300,
};

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`emulator option ${name} must be a number ≥ 0`);
  return value;
}

export function resolveSettings(options: EmulatorOptions): Settings {
  if (!options.apiKey) throw new Error('emulator option apiKey is required');
  const retry = { ...REAL_RETRY, ...options.webhookRetry };
  if (retry.maxAttempts < 1) throw new RangeError('webhookRetry.maxAttempts must be ≥ 1');
  const timezone = options.timezone ?? 'America/Sao_Paulo';
  new Intl.DateTimeFormat('en-US', { timeZone: timezone }); // fails fast on an unknown zone
  return {
    apiKey: options.apiKey,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    serverUrl: options.serverUrl,
    timezone,
    createQrWaitMs: nonNegative('createQrWaitMs', options.createQrWaitMs ?? 5_000),
    connectWaitMs: nonNegative('connectWaitMs', options.connectWaitMs ?? 2_000),
    qrTimeoutMs: Math.max(1, options.qrTimeoutMs ?? 45_000),
    firstQrDelayMs: nonNegative('firstQrDelayMs', options.firstQrDelayMs ?? 0),
    qrLimit: Math.max(1, options.qrLimit ?? 30),
    statusDelaysMs: options.statusDelaysMs === undefined ? DEFAULT_STATUS_DELAYS : options.statusDelaysMs,
    webhookTimeoutMs: Math.max(1, options.webhookTimeoutMs ?? 30_000),
    webhookRetry: retry,
    logger: options.logger ?? false,
    exposeApiKeyInWebhooks: options.exposeApiKeyInWebhooks ?? false,
    reconnectDelayMs: nonNegative('reconnectDelayMs', options.reconnectDelayMs ?? 1_500),
    removeDelayMs: nonNegative('removeDelayMs', options.removeDelayMs ?? 1_000),
  };
}
