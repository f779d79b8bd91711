// One way to stop waiting for a dependency that has gone silent. Redis with its offline queue on,
// or a PostgreSQL host that drops packets without closing anything, leave a call pending for ever;
// a request, a probe or a shutdown step must not wait with it.

/** What `withDeadline` rejects with: the dependency was silent, not failing. */
export class DeadlineError extends Error {}

/**
 * `call`, or a DeadlineError saying `${what} did not answer within ${ms} ms` once `ms` have passed. The
 * call itself is not cancelled: callers use this only where letting it finish later is harmless.
 * The timer does not keep the process alive.
 */
export async function withDeadline<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
