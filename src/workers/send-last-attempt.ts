// What becomes of a send job whose last attempt threw an error the processor does not steer itself
// (the gateway's failures become outcomes; everything else lands here). Left to BullMQ, the job
// ended failed with its message still waiting, and the sweeper gave the message a new job every
// SWEEPER_INTERVAL_MS, for ever (test/messages/internal-error-ends.test.ts).
import { SentButUnrecordedError } from '../domain/messages/deliver-message.js';
import { dependencyDown } from '../domain/dependency-down.js';
import { UncertainSendError } from '../jobs/catalogue.js';

/**
 * - `hold`: the database or Redis is away. No fault of the message: it waits for them, however
 *   long, spending no attempt, and never fails for it.
 * - `leave`: WhatsApp may have the message (the gateway accepted it and the database would not
 *   record it, or it answered nothing). Failed, the history would deny what the client has and a
 *   Retry would send a second copy: the job ends as before, the sweeper's new job records it or
 *   waits for its echo (docs/ARCHITECTURE.md, the send pipeline, 4 and 5).
 * - `fail`: anything else (a bug, a row the worker cannot process, an exception no classification
 *   expected) would fail the same way on every new job: the message ends `internal_error`.
 */
export type LastAttemptEnd = 'hold' | 'leave' | 'fail';

export function lastAttemptEnd(err: unknown): LastAttemptEnd {
  if (err instanceof SentButUnrecordedError || err instanceof UncertainSendError) return 'leave';
  if (dependencyDown(err)) return 'hold';
  return 'fail';
}
