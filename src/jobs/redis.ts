// Redis connections. The API's connection fails fast (no offline queue) so a dead Redis becomes a
// 503 at once instead of a hanging request; BullMQ workers need maxRetriesPerRequest: null and
// keep retrying until Redis returns.
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'api' | 'worker';

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

export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  await Promise.race([
    redis.ping(),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('Redis ping timed out')), timeoutMs).unref(),
    ),
  ]);
}
