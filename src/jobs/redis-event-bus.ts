// EventBus over Redis pub/sub: one channel per advisor, one subscriber connection per process
// fanning out to that process's open streams. Live events are a convenience on top of the
// database (the dashboard re-reads on reconnect), so a failed publish is logged, not thrown.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventBus, LiveEvent } from '../domain/events/event-bus.js';

export class RedisEventBus implements EventBus {
  private subscriber: Redis | null = null;
  private readonly listeners = new Map<string, Set<(event: LiveEvent) => void>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  private channel(advisorId: string): string {
    return `${this.prefix}:live:${advisorId}`;
  }

  async publish(advisorId: string, event: LiveEvent): Promise<void> {
    try {
      await this.redis.publish(this.channel(advisorId), JSON.stringify(event));
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, advisorId, type: event.type },
        'live event not published',
      );
    }
  }

  private async ensureSubscriber(): Promise<Redis> {
    if (this.subscriber) return this.subscriber;
    const sub = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, payload: string) => {
      const advisorId = channel.slice(this.prefix.length + ':live:'.length);
      const set = this.listeners.get(advisorId);
      if (!set) return;
      let event: LiveEvent;
      try {
        event = JSON.parse(payload) as LiveEvent;
      } catch {
        return;
      }
      for (const listener of set) listener(event);
    });
    this.subscriber = sub;
    return sub;
  }

  async subscribe(advisorId: string, listener: (event: LiveEvent) => void): Promise<() => Promise<void>> {
    const sub = await this.ensureSubscriber();
    let set = this.listeners.get(advisorId);
    if (!set) {
      set = new Set();
      this.listeners.set(advisorId, set);
      await sub.subscribe(this.channel(advisorId));
    }
    set.add(listener);
    return async () => {
      const current = this.listeners.get(advisorId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.listeners.delete(advisorId);
        await sub.unsubscribe(this.channel(advisorId)).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber) {
      await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
      this.subscriber = null;
    }
  }
}
