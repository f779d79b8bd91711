// What use cases need, handed over explicitly (no globals): the database, the gateway, the
// secret box for credentials, the live event bus, and the settings that shape behaviour.
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import type { WhatsAppGateway } from '../gateway/index.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { EventBus } from './events/event-bus.js';
import type { Features } from './instances/features.js';
import type { SettingsBounds } from './instances/advisor-settings.js';
import type { WakeOptions } from './messages/message-queue.js';

export interface DomainContext {
  db: Db;
  gateway: WhatsAppGateway;
  box: SecretBox;
  events: EventBus;
  logger: Logger;
  /** Where Evolution posts webhooks for our instances. */
  webhookUrl: string;
  sandbox: boolean;
  bounds: SettingsBounds;
  featureDefaults: Features;
  config: Config;
  /**
   * Wakes the advisor's sends waiting in the queue so they look again now (wired by the job
   * layer): when the instance opens, sending is resumed, or the rate limit or pacing changed.
   */
  wakeWaitingSends?: (advisorId: string, options?: WakeOptions) => Promise<void>;
  now?: () => Date;
}

export const nowOf = (ctx: Pick<DomainContext, 'now'>): Date => (ctx.now ? ctx.now() : new Date());
