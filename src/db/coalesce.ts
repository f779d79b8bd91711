// One statement for many callers. Under load, requests (or jobs) that run the same lookup at about
// the same time share one statement over arrays instead of one statement each: PostgreSQL's cost
// per statement (protocol, snapshot, commit) and the driver's are paid once per batch. The floor
// benchmark measured what that buys on this machine kind (docs/BENCHMARKS.md, "the floor").
//
// Batches form only while earlier ones are in flight: with `maxInFlight` statements running, new
// calls wait and go together in the next one. An idle process therefore runs each call at once,
// alone, with no added delay, and a busy one batches as much as it has to.
import type { DbOrTx } from './client.js';
import { preparedOnce } from './prepared.js';
import { failedOnItsRows } from './statement-failure.js';

export interface CoalesceOptions {
  /** Statements of this kind running at once (each holds a pooled connection while it runs). */
  maxInFlight: number;
  /** The most calls one statement serves. */
  maxBatch: number;
  /**
   * When a shared statement fails on its rows, run each of its calls again on its own, so that
   * one call's bad row (a unique index it breaks, a value out of range) fails that call only.
   * Safe because a statement is atomic: the failed one changed nothing. Not done when the
   * connection or the server failed (failedOnItsRows): every call would fail again, one after
   * another, each waiting out the outage's timeout while the others queue behind it.
   */
  aloneOnFailure?: boolean;
}

interface Waiting<In, Out> {
  input: In;
  resolve: (out: Out) => void;
  reject: (err: unknown) => void;
}

/**
 * `run` gets the inputs of one batch and answers with one output per input, in the same order.
 * When it fails, every call of that batch fails with its error, unless `aloneOnFailure` gives each
 * call a run of its own first.
 */
export function coalesce<In, Out>(
  run: (inputs: In[]) => Promise<Out[]>,
  options: CoalesceOptions,
): (input: In) => Promise<Out> {
  const waiting: Waiting<In, Out>[] = [];
  let inFlight = 0;

  /** Runs one batch and resolves its calls; rejects (settling none) when the statement fails. */
  const runBatch = async (batch: Waiting<In, Out>[]) => {
    const outs = await run(batch.map((w) => w.input));
    if (outs.length !== batch.length)
      throw new Error(`coalesced statement answered ${outs.length} of ${batch.length} calls`);
    batch.forEach((w, i) => w.resolve(outs[i]!));
  };

  const dispatch = () => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch);
      inFlight++;
      void runBatch(batch)
        .catch((err: unknown) => {
          if (!options.aloneOnFailure || batch.length === 1 || !failedOnItsRows(err)) throw err;
          // Each call again on its own, one after another: each settles with its own outcome.
          return batch.reduce(
            (previous, w) => previous.then(() => runBatch([w]).catch((e: unknown) => w.reject(e))),
            Promise.resolve(),
          );
        })
        .catch((err: unknown) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          inFlight--;
          dispatch();
        });
    }
  };

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      dispatch();
    });
}

/**
 * This database handle's shared statement `name`: `run` answers a batch of inputs over `db`, and
 * the function returned takes one input. Built once per handle (preparedOnce), so every caller in
 * the process shares one coalescer.
 */
export function sharedStatement<In, Out>(
  db: DbOrTx,
  name: string,
  run: (db: DbOrTx, inputs: In[]) => Promise<Out[]>,
  options: Partial<CoalesceOptions> = {},
): (input: In) => Promise<Out> {
  return preparedOnce(db, `shared:${name}`, (d) =>
    coalesce((inputs: In[]) => run(d, inputs), { ...SHARED_DEFAULTS, ...options }),
  );
}

/**
 * One statement of a kind in flight at a time: the calls that arrive while it runs go together in
 * the next one. Against two (docs/BENCHMARKS.md, session of 2026-12-04 22:45Z) the batches are
 * larger, every process spends less CPU per message and latency under load is lower (fewer
 * statements compete for the database's CPU); an idle process still runs each call at once.
 * It also leaves the pool's other connections to the rest of the process.
 */
const SHARED_DEFAULTS: CoalesceOptions = { maxInFlight: 1, maxBatch: 100 };
