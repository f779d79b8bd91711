// Our Lua scripts run by their SHA1 (EVALSHA): ioredis sends the full text (EVAL) only when Redis
// answers NOSCRIPT, after a restart or SCRIPT FLUSH, and then goes back to the SHA. Every send
// runs three of them (fairness on enqueue, the rate-limit slot and the fairness release in the
// worker); with EVAL each call carried the script's text and Redis hashed it again. A small
// saving per call (the scripts' own work is most of their cost), and the way ioredis means
// scripts to be run.
import type { Redis } from 'ioredis';

export type LuaScript = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/** Registers `lua` on this connection under `name` (idempotent) and returns a caller for it. */
export function luaScript(redis: Redis, name: string, numberOfKeys: number, lua: string): LuaScript {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[
    name
  ]!.bind(redis);
  return (keys, args) => {
    if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} key(s)`);
    return command(...keys, ...args);
  };
}
