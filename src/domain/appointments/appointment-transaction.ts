// One appointment change = one database transaction: the appointment row, its version, every
// message row it plans or cancels, and the audit entry commit together or not at all. The queue
// and the live events only hear about it after the commit, so a worker can never pick up a job
// whose row is not visible yet, and a rolled-back change leaves no job behind. If the process dies
// between the commit and the hand-over, the rows are there and the outbox sweeper enqueues them.
import type { Db } from '../../db/client.js';
import type { DomainContext } from '../context.js';
import type { EventBus, LiveEvent } from '../events/event-bus.js';
import type { MessageQueue, QueuedMessageRef } from '../messages/message-queue.js';

export async function runAppointmentTransaction<T>(
  ctx: DomainContext,
  queue: MessageQueue,
  work: (tx: DomainContext, txQueue: MessageQueue) => Promise<T>,
): Promise<T> {
  const enqueued: { message: QueuedMessageRef; again: boolean }[] = [];
  const removed: string[] = [];
  const events: [string, LiveEvent][] = [];
  const txQueue: MessageQueue = {
    enqueue: async (message) => void enqueued.push({ message, again: false }),
    requeue: async (message) => void enqueued.push({ message, again: true }),
    remove: async (messageId) => void removed.push(messageId),
    resume: async () => undefined,
  };
  const txEvents: EventBus = {
    publish: async (advisorId, event) => void events.push([advisorId, event]),
    subscribe: (advisorId, listener) => ctx.events.subscribe(advisorId, listener),
    close: async () => undefined,
  };
  // Drizzle nests sendMessage's own transaction as a savepoint of this one.
  const result = await ctx.db.transaction((tx) =>
    work({ ...ctx, db: tx as unknown as Db, events: txEvents }, txQueue),
  );

  for (const messageId of removed) {
    // Only an optimisation: the rows are already cancelled and the worker re-checks them.
    await queue
      .remove(messageId)
      .catch((err: Error) =>
        ctx.logger.warn({ err: err.message, messageId }, 'could not drop a cancelled job'),
      );
  }
  for (const { message, again } of enqueued) {
    await (again ? queue.requeue(message) : queue.enqueue(message)).catch((err: Error) =>
      ctx.logger.warn({ err: err.message, messageId: message.id }, 'enqueue failed; the sweeper will retry'),
    );
  }
  // Sent together, not one round trip each: a template edit re-renders thousands of planned
  // messages, an event apiece, and its answer waited for every one in turn. One connection sends
  // them in the order given, so subscribers still see them in that order.
  await Promise.all(
    events.map(([advisorId, event]) => ctx.events.publish(advisorId, event).catch(() => undefined)),
  );
  return result;
}
