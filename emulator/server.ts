// The emulator's programmatic entry point: tests, benchmarks and the product's sandbox mode start it here.
import { Agent } from 'undici';

import { buildEmulatorApp } from './app.js';
import { WallClock } from './core/clock.js';
import type { EmulatorContext } from './core/context.js';
import { FaultState } from './core/faults.js';
import { createJid } from './core/jid.js';
import { resolveSettings } from './core/options.js';
import { seededRandom } from './core/random.js';
import { emptyStats } from './core/stats.js';
import { Timers } from './core/timers.js';
import { Deliverer } from './webhooks/delivery.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { ConnectionLifecycle } from './whatsapp/connection.js';

export interface EmulatorOptions {
  /** The global AUTHENTICATION_API_KEY. */
  apiKey: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** Envelope `server_url`; default the listening URL. */
  serverUrl?: string;
  /** IANA zone of the `date_time` quirk; default America/Sao_Paulo (the official image's TZ). */
  timezone?: string;
  /** How long create with qrcode:true waits before answering (real: 5000). */
  createQrWaitMs?: number;
  /** How long connect from `close` waits before answering (real: 2000). */
  connectWaitMs?: number;
  /** QR rotation period (real: 45000). */
  qrTimeoutMs?: number;
  /**
   * How long a new socket takes to produce its first QR (Baileys starting up: seconds on a busy
   * gateway); until then connect answers `{count:0}`. Default 0.
   */
  firstQrDelayMs?: number;
  /** QRs before giving up (real: 30). */
  qrLimit?: number;
  /** Receipts after a send, each delay counted from the previous receipt; null = no automatic receipts. */
  statusDelaysMs?: { serverAck: number; deliveryAck: number; read: number } | null;
  /** Per-attempt webhook timeout (real: 30000). */
  webhookTimeoutMs?: number;
  /** Real: 10 attempts, 5000 ms initial, 300000 ms max, 0.2 jitter. */
  webhookRetry?: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number; jitter: number };
  logger?: boolean;
  /** Put the instance token in the envelope `apikey` (AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true). Default false. */
  exposeApiKeyInWebhooks?: boolean;
  /** How long a silent reconnect stays `connecting` before `open` again. Default 1500. */
  reconnectDelayMs?: number;
  /**
   * How long a deleted instance keeps its name (real: its REMOVE_INSTANCE webhook is delivered,
   * retries included, before the rows go, so a re-create can get 403 "already in use"). Default 1000.
   */
  removeDelayMs?: number;
  /** Seeds the fault dice (drops, duplicates, error rate, reorder shuffles) for repeatable runs. */
  randomSeed?: number;
}

export interface RunningEmulator {
  url: string;
  close(): Promise<void>;
}

function urlOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const settings = resolveSettings(options);
  const timers = new Timers();
  const stats = emptyStats();
  const random = options.randomSeed === undefined ? Math.random : seededRandom(options.randomSeed);
  const faults = new FaultState(createJid, random);
  const clock = new WallClock(settings.timezone);
  // Keep-alive pool for webhook deliveries, so a busy receiver is not paying a TCP handshake per event.
  const agent = new Agent({
    keepAliveTimeout: 4_000,
    connections: 256,
    headersTimeout: settings.webhookTimeoutMs,
    bodyTimeout: settings.webhookTimeoutMs,
  });
  const deliverer = new Deliverer({
    agent,
    timers,
    stats,
    retry: settings.webhookRetry,
    timeoutMs: settings.webhookTimeoutMs,
  });
  const ctx: EmulatorContext = {
    settings,
    instances: new Map(),
    onWhatsApp: new Set(),
    faults,
    stats,
    timers,
    clock,
    webhooks: undefined as unknown as WebhookDispatcher,
    serverUrl: settings.serverUrl ?? '',
  };
  const dispatcher = new WebhookDispatcher({
    clock,
    faults,
    stats,
    timers,
    deliverer,
    exposeApiKey: settings.exposeApiKeyInWebhooks,
    serverUrl: () => ctx.serverUrl,
    random,
  });
  ctx.webhooks = dispatcher;
  const lifecycle = new ConnectionLifecycle(ctx);
  const app = buildEmulatorApp(ctx, lifecycle, {
    resetWebhooks: () => {
      dispatcher.reset();
      deliverer.reset();
    },
  });
  await app.listen({ host: settings.host, port: settings.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const url = urlOf(settings.host, port);
  ctx.serverUrl = settings.serverUrl ?? url;

  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closing ??= (async () => {
        timers.stop();
        deliverer.close();
        dispatcher.reset();
        await app.close();
        await agent.destroy();
      })();
      return closing;
    },
  };
}
