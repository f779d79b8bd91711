// The coalescer's contract, without a database: when calls run alone, when they share a run,
// and what a failed run does to its callers.
import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.js';

/** A run whose batches stay open until released, recording what each received. */
function gatedRun() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = (inputs: number[]) => {
    batches.push(inputs);
    return new Promise<number[]>((resolve) => gates.push(() => resolve(inputs.map((n) => n * 10))));
  };
  const releaseAll = async () => {
    while (gates.length) gates.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { run, batches, releaseAll };
}

describe('coalesce', () => {
  it('runs a call at once, alone, when nothing else is running', async () => {
    const { run, batches, releaseAll } = gatedRun();
    const call = coalesce(run, { maxInFlight: 1, maxBatch: 10 });
    const answer = call(1);
    expect(batches).toEqual([[1]]);
    await releaseAll();
    await expect(answer).resolves.toBe(10);
  });

  it('gathers the calls made while runs are in flight into the next run, each getting its own answer', async () => {
    const { run, batches, releaseAll } = gatedRun();
    const call = coalesce(run, { maxInFlight: 2, maxBatch: 10 });
    const answers = [1, 2, 3, 4, 5].map((n) => call(n));
    expect(batches).toEqual([[1], [2]]);
    await releaseAll();
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    await releaseAll();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('never puts more than maxBatch calls in one run', async () => {
    const { run, batches, releaseAll } = gatedRun();
    const call = coalesce(run, { maxInFlight: 1, maxBatch: 2 });
    const answers = [1, 2, 3, 4, 5, 6].map((n) => call(n));
    for (let i = 0; i < 4; i++) await releaseAll();
    expect(batches).toEqual([[1], [2, 3], [4, 5], [6]]);
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('fails every call of a failed run, and the next calls run again', async () => {
    let fail = true;
    const call = coalesce(
      async (inputs: number[]) => {
        if (fail) throw new Error('database went away');
        return inputs;
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const failed = [call(1), call(2), call(3)];
    const outcomes = await Promise.allSettled(failed);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    await expect(call(4)).resolves.toBe(4);
  });

  it('fails the calls of a run that answered the wrong number of outputs instead of mismatching them', async () => {
    const call = coalesce(async (inputs: number[]) => inputs.slice(1), { maxInFlight: 1, maxBatch: 10 });
    const outcomes = await Promise.allSettled([call(1), call(2), call(3)]);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toMatch(/answered 1 of 2/);
  });

  it('with aloneOnFailure, runs the calls of a failed shared run one by one, so only the bad one fails', async () => {
    const runs: number[][] = [];
    const call = coalesce(
      async (inputs: number[]) => {
        runs.push(inputs);
        if (inputs.includes(13))
          throw Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' });
        return inputs.map((n) => n + 1);
      },
      { maxInFlight: 1, maxBatch: 10, aloneOnFailure: true },
    );
    const outcomes = await Promise.allSettled([1, 12, 13, 14].map((n) => call(n)));
    expect(runs).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'failed'))).toEqual([
      2,
      13,
      'failed',
      15,
    ]);
  });

  it('with aloneOnFailure, does not run the calls again one by one when the database itself failed', async () => {
    const runs: number[][] = [];
    const call = coalesce(
      async (inputs: number[]) => {
        runs.push(inputs);
        if (inputs.length > 1)
          throw Object.assign(new Error('terminating connection'), { code: '57P01', severity: 'FATAL' });
        return inputs.map((n) => n + 1);
      },
      { maxInFlight: 1, maxBatch: 10, aloneOnFailure: true },
    );
    const outcomes = await Promise.allSettled([1, 12, 13, 14].map((n) => call(n)));
    // The shared run's calls fail with it: running each alone would only wait out the outage N times.
    expect(runs).toEqual([[1], [12, 13, 14]]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
  });
});
