// What a time-critical message costs when it goes to the front of its advisor's line of waiting
// messages (src/jobs/slot-line.ts): one Lua call that moves every message it passes one slot
// back, for the rate limiter's line and for a number's pacing slots, with 100 to 10,000 messages
// waiting. The baseline, measured in the same run on the same line, is an ordinary reservation
// at the back. Redis runs the script alone, so this is also how long it holds everyone else up.
//
//   npx tsx bench/slot-line.ts [--runs 5]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';

import { SendPacer, type PacingPlan } from '../src/jobs/send-pacer.js';
import { SendRateLimiter } from '../src/jobs/send-rate-limiter.js';
import { countFlag } from './lib/flags.js';
import { machineLine, percentile, writeSection } from './lib/report.js';
import { fmt } from './lib/stack.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = countFlag('runs', values.runs);
const LENGTHS = [100, 1_000, 10_000];
const LIMIT = { max: 1, durationMs: 1_000 };
const PLAN: PacingPlan = { minGapMs: 1_000, maxGapMs: 1_000, hourlyCap: 100_000, dailyCap: 1_000_000 };

interface Line {
  fill(n: number, now: number): Promise<void>;
  reserve(id: string, now: number, first: boolean): Promise<number>;
}

const limiterLine = (redis: Redis, prefix: string): Line => {
  const limiter = new SendRateLimiter(redis, prefix);
  return {
    async fill(n, now) {
      const pipeline = [];
      for (let i = 0; i < n; i++) pipeline.push(limiter.reserve('adv', LIMIT, now, `b${i}`));
      await Promise.all(pipeline);
    },
    reserve: (id, now, first) => limiter.reserve('adv', LIMIT, now, id, first),
  };
};

const pacerLine = (redis: Redis, prefix: string): Line => {
  const pacer = new SendPacer(redis, prefix, () => 0);
  return {
    async fill(n, now) {
      const pipeline = [];
      for (let i = 0; i < n; i++) pipeline.push(pacer.reserve('adv', '+34612000001', `b${i}`, PLAN, now));
      await Promise.all(pipeline);
    },
    reserve: (id, now, first) => pacer.reserve('adv', '+34612000001', id, PLAN, now, now, first),
  };
};

async function timeOne(
  redis: Redis,
  make: (redis: Redis, prefix: string) => Line,
  n: number,
  first: boolean,
) {
  const ms: number[] = [];
  for (let r = 0; r < runs + 1; r++) {
    const prefix = `wwbench_line_${randomBytes(5).toString('hex')}`;
    const line = make(redis, prefix);
    const now = Date.now();
    await line.fill(n, now);
    const started = performance.now();
    await line.reserve('urgent', now + 10, first);
    if (r > 0) ms.push(performance.now() - started); // the first run warms the script cache
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  ms.sort((a, b) => a - b);
  return { median: percentile(ms, 50), max: ms.at(-1)! };
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const rows: string[] = [];
    const perPassed: string[] = [];
    for (const [name, make] of [
      ['rate limiter', limiterLine],
      ['pacing', pacerLine],
    ] as const) {
      for (const n of LENGTHS) {
        const back = await timeOne(redis, make, n, false);
        const front = await timeOne(redis, make, n, true);
        if (n === LENGTHS.at(-1))
          perPassed.push(`${name} ${fmt(((front.median - back.median) / n) * 1000, 1)} µs`);
        rows.push(
          `| ${name} | ${fmt(n)} | ${fmt(back.median, 2)} | ${fmt(front.median, 2)} | ${fmt(front.max, 2)} | ${fmt(front.median / back.median, 1)} × |`,
        );
      }
    }
    const md = [
      '## A time-critical message going to the front of the line',
      '',
      `${machineLine()} Redis at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}.`,
      `One reservation on a line of n messages waiting for their slot, timed from the client (one round trip included). "At the back" is an ordinary reservation (the baseline, same run, same line); "to the front" is a confirmation or due reminder taking the earliest slot and moving the n messages back one slot each. Median and worst of ${runs} runs, each on a freshly filled line, after one warm-up.`,
      '',
      '| line | n waiting | at the back, median ms | to the front, median ms | to the front, worst ms | front vs back |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `Per message passed, on the longest line: ${perPassed.join(', ')} (a ZADD each, inside the one script). Redis runs nothing else meanwhile, so this is also the pause every other client sees; it is paid once per confirmation, "rescheduled" notice or due reminder, and only while the advisor has messages waiting for a slot.`,
    ].join('\n');
    console.log(md);
    await writeSection('slot-line', md);
  } finally {
    await redis.quit();
  }
}

await main();
