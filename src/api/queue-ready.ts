// Routes that queue a message refuse before writing anything while the queue (Redis) is
// unreachable: the caller's "try again shortly" then means what it says. (A row written anyway
// would be sent by the sweeper once Redis is back, and the retry would find it already done.)
import type { Redis } from 'ioredis';
import { AppError } from '../domain/app-error.js';

export function redisUnavailable(): AppError {
  return new AppError('redis_unavailable', 'The queue (Redis) is unavailable; try again shortly.');
}

/** Throws 503 redis_unavailable unless the service's Redis connection is ready. */
export function assertQueueReady(redis: Pick<Redis, 'status'>): void {
  if (redis.status !== 'ready') throw redisUnavailable();
}
