// Redis connections. The API's connection fails fast (no offline queue) so a dead Redis becomes a
// 503 at once instead of a hanging request; BullMQ workers need maxRetriesPerRequest: null and
// keep retrying until Redis returns.
//
// The API's BullMQ queues get a connection of their own ('queue'): BullMQ asks Redis for its
// version the moment a Queue is built, and a Queue whose first command failed (Redis not ready
// yet, offline queue off) fails every later call, even once Redis is back. On a connection that
// queues commands until Redis answers, that first check simply waits; callers bound each queue
// call with withRedisDeadline instead, so a request never hangs on a dead Redis.
import { Redis, type RedisOptions } from 'ioredis';
import { withDeadline } from '../deadline.js';

export type RedisRole = 'api' | 'worker' | 'queue';

export function createRedis(url: string, role: RedisRole, onError?: (err: Error) => void): Redis {
  const options: RedisOptions =
    role === 'api'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          retryStrategy: (times) => Math.min(times * 200, 2_000),
        }
      : {
          maxRetriesPerRequest: null,
          retryStrategy: (times) => Math.min(times * 200, 2_000),
        };
  const redis = new Redis(url, { ...options, lazyConnect: false });
  // Without a listener ioredis prints every reconnect failure; we log once per state change.
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) onError?.(err);
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}

/**
 * The database index of REDIS_URL when Redis refused to SELECT it ("ERR DB index is out of
 * range"), else null. ioredis reports that refusal as an error and goes on with the connection on
 * database 0, so a process that went ahead would share database 0 with whatever else lives there.
 */
export function refusedDatabase(err: Error): string | null {
  const command = (err as Error & { command?: { name?: string; args?: unknown[] } }).command;
  return command?.name === 'select' ? String(command.args?.[0]) : null;
}

/**
 * Waits until a connection is ready, Redis refuses it, or the time is up; says whether it is ready.
 * The API's connection does not queue commands, so a request that arrives before it has connected
 * fails instead of waiting: its rate-limit count was skipped (the limiter steps aside on Redis
 * errors) and a send answered 503. Startup waits for it briefly; a Redis that is down does not hold
 * startup back (the service starts and answers 503 until Redis returns).
 */
export async function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const settle = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ready);
    };
    const onReady = () => settle(true);
    const onError = () => settle(false);
    const timer = setTimeout(() => settle(false), timeoutMs);
    timer.unref();
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** The API's queue calls wait at most this long for Redis before the caller falls back. */
export const QUEUE_CALL_DEADLINE_MS = 2_000;

/**
 * Bounds a call on a connection that queues commands while Redis is away. On timeout the caller
 * gets an error naming Redis (the API maps it to 503); the command itself may still run when
 * Redis returns, which is harmless because every job id is derived from its row's id.
 */
export function withRedisDeadline<T>(call: Promise<T>, ms = QUEUE_CALL_DEADLINE_MS): Promise<T> {
  return withDeadline(call, ms, 'Redis');
}

export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  await withDeadline(redis.ping(), timeoutMs, 'Redis');
}
