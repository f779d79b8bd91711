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

/** The API's queue calls wait at most this long for Redis before the caller falls back. */
export const QUEUE_CALL_DEADLINE_MS = 2_000;

/**
 * Bounds a call on a connection that queues commands while Redis is away. On timeout the caller
 * gets an error naming Redis (the API maps it to 503); the command itself may still run when
 * Redis returns, which is harmless because every job id is derived from its row's id.
 */
export async function withRedisDeadline<T>(call: Promise<T>, ms = QUEUE_CALL_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  await Promise.race([
    redis.ping(),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('Redis ping timed out')), timeoutMs).unref(),
    ),
  ]);
}
