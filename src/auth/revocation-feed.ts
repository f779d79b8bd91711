// Tells every API process about a revocation made in any of them, so no process keeps serving a
// credential from its cache (credential-cache.ts) once it was signed out, revoked or changed.
// Redis pub/sub on one channel: `{ from, advisorId }` forgets that advisor's credentials, `{ from }`
// alone forgets every credential (an admin action, whose target is not parsed).
//
// Pub/sub delivers only to connections subscribed at the moment of the publish. So the caches
// serve only while this process's subscription is up: they start suspended, are suspended again
// as soon as the subscriber's connection drops, and resume (from empty) once SUBSCRIBE is
// confirmed after a reconnect. A process that cannot hear revocations asks the database instead.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withDeadline } from '../deadline.js';
import type { CachedCredential, CredentialCache } from './credential-cache.js';

/** How long a revocation waits for its announcement before answering without it. */
const PUBLISH_DEADLINE_MS = 1_000;

export class RevocationFeed {
  private readonly from = randomUUID();
  private readonly channel: string;
  /** The subscriber's CLIENT SETNAME, one per process, to find it in CLIENT LIST. */
  readonly connectionName: string;
  private subscriber: Redis | null = null;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly caches: CredentialCache<CachedCredential>[],
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}:auth:revoked`;
    this.connectionName = `${prefix}:revocations:${this.from.slice(0, 8)}`;
    for (const cache of caches) cache.suspend();
  }

  /** Subscribes; the caches serve from the moment the subscription is confirmed. */
  start(): void {
    if (this.subscriber || this.closed) return;
    // Its own connection (a subscribed connection can do nothing else), resubscribed by us on
    // every `ready` so that resuming waits for Redis's confirmation.
    const sub = this.redis.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: false,
      lazyConnect: false,
      connectionName: this.connectionName,
    });
    this.subscriber = sub;
    sub.on('error', () => undefined);
    for (const lost of ['close', 'end', 'reconnecting'] as const) sub.on(lost, () => this.suspendAll());
    sub.on('ready', () => {
      sub.subscribe(this.channel).then(
        () => {
          if (!this.closed && sub.status === 'ready') for (const cache of this.caches) cache.resume();
        },
        (err: Error) => this.logger.warn({ err: err.message }, 'revocation feed: subscribe failed'),
      );
    });
    sub.on('message', (_channel: string, payload: string) => this.heard(payload));
  }

  /**
   * Forgets the advisor's cached credentials here at once (every advisor's when `advisorId` is
   * null), then tells the other processes. Call it once the revocation is committed. It never
   * throws: if the announcement cannot be made, the other processes catch up within their TTL.
   */
  async revoked(advisorId: string | null): Promise<void> {
    this.forget(advisorId);
    const payload = JSON.stringify(advisorId === null ? { from: this.from } : { from: this.from, advisorId });
    try {
      await withDeadline(this.redis.publish(this.channel, payload), PUBLISH_DEADLINE_MS, 'Redis');
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, advisorId },
        'revocation not announced: other API processes may accept the revoked credential until their cache entry expires',
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.suspendAll();
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }

  private heard(payload: string): void {
    let message: { from?: unknown; advisorId?: unknown };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      // Not one of ours: forgetting everything is the safe reading.
      this.forget(null);
      return;
    }
    if (message.from === this.from) return;
    this.forget(typeof message.advisorId === 'string' ? message.advisorId : null);
  }

  private forget(advisorId: string | null): void {
    for (const cache of this.caches) {
      if (advisorId === null) cache.clear();
      else cache.forgetAdvisor(advisorId);
    }
  }

  private suspendAll(): void {
    for (const cache of this.caches) cache.suspend();
  }
}
