// Everything a route or lifecycle step needs, passed explicitly instead of living in module globals, so two
// emulators in one process (parallel tests) never share state.
import type { WallClock } from './clock.js';
import type { FaultState } from './faults.js';
import type { Instance } from './instance.js';
import type { Settings } from './options.js';
import type { Stats } from './stats.js';
import type { Timers } from './timers.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';

export interface EmulatorContext {
  settings: Settings;
  instances: Map<string, Instance>;
  /** JIDs confirmed on WhatsApp (the gateway's IsOnWhatsapp table, shared by all instances). */
  onWhatsApp: Set<string>;
  faults: FaultState;
  stats: Stats;
  timers: Timers;
  clock: WallClock;
  webhooks: WebhookDispatcher;
  /** Envelope `server_url`; known once the server listens. */
  serverUrl: string;
}
