// What buildApp needs, passed in explicitly so tests can build the app around real parts of
// their own (a fresh database, a Redis prefix, an emulator on a free port).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Auth } from '../auth/auth.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import type { DomainContext } from '../domain/context.js';
import type { EventBus } from '../domain/events/event-bus.js';
import type { MessageQueue } from '../domain/messages/message-queue.js';
import type { WebhookJobQueue } from '../domain/webhooks/webhook-job-queue.js';

import type { Queue } from 'bullmq';

export interface AppDeps {
  config: Config;
  database: Database;
  redis: Redis;
  auth: Auth;
  logger: Logger;
  events: EventBus;
  ctx: DomainContext;
  /** The emulator's address in sandbox mode, proxied under /_emulator. */
  evolutionUrl: string;
  sandbox: { url: string } | null;
  messages: MessageQueue;
  webhookQueue: WebhookJobQueue;
  /** Every BullMQ queue, for the operator views (bull-board, queue depth). */
  queues: Queue[];
  /**
   * `draining`: the process is shutting down but still serves (/ready turns 503 so load balancers
   * move away); `closing`: the HTTP server is closing, new requests are refused.
   */
  lifecycle: { draining: boolean; closing: boolean };
}
