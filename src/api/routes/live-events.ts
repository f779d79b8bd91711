// Server-Sent Events for one advisor: an initial snapshot, then every live event published for
// that advisor (and only that advisor), with a heartbeat so proxies keep the stream open.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus, LiveEvent } from '../../domain/events/event-bus.js';

const HEARTBEAT_MS = 15_000;

export interface StreamAccess {
  /**
   * Whether the credentials that opened the stream still hold (a session signed out, an API key
   * revoked): checked every `everyMs`; false ends the stream. A failed check (the database away)
   * keeps it open.
   */
  stillAllowed: () => Promise<boolean>;
  everyMs: number;
}

/**
 * The streams open on one server. A stream never ends by itself, so the server's close would
 * wait for it forever: `endAll` ends them (from a preClose hook) and the browser's EventSource
 * reconnects, after the `retry` delay, to an instance still serving.
 */
export class OpenStreams {
  private readonly ends = new Set<() => void>();

  add(end: () => void): () => void {
    this.ends.add(end);
    return () => {
      this.ends.delete(end);
    };
  }

  endAll(): void {
    for (const end of [...this.ends]) end();
  }
}

export async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  events: EventBus,
  advisorId: string,
  snapshot: () => Promise<LiveEvent>,
  open: OpenStreams,
  access?: StreamAccess,
): Promise<void> {
  // Subscribe before reading the snapshot: an event published in between is then delivered
  // after it (at worst repeating what the snapshot already shows) instead of being lost.
  const early: LiveEvent[] = [];
  let write = (event: LiveEvent) => void early.push(event);
  const unsubscribe = await events.subscribe(advisorId, (event) => write(event));
  let heartbeat: NodeJS.Timeout | undefined = undefined;
  let recheck: NodeJS.Timeout | undefined = undefined;
  let stopped = false;
  let forget = (): void => undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(heartbeat);
    clearInterval(recheck);
    forget();
    void unsubscribe();
  };
  // Attached first, so a client gone while the snapshot is read still releases the subscription.
  request.raw.on('close', stop);
  let first: LiveEvent;
  try {
    first = await snapshot();
  } catch (err) {
    stop();
    throw err;
  }
  reply.hijack();
  const res = reply.raw;
  if (stopped) {
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // A HEAD (Fastify answers one on every GET route) gets the headers and nothing more: Node
  // writes no body for it, and the headers would only go out with the first body bytes, so the
  // caller waited for ever while the subscription and its timers were held.
  if (request.method === 'HEAD') {
    stop();
    res.end();
    return;
  }
  let id = 0;
  write = (event: LiveEvent) => {
    res.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
  };
  res.write('retry: 2000\n\n');
  write(first);
  for (const event of early.splice(0)) write(event);
  heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  res.on('error', stop);
  forget = open.add(() => {
    stop();
    res.end();
  });
  if (access) {
    recheck = setInterval(() => {
      access.stillAllowed().then(
        (allowed) => {
          if (allowed || stopped) return;
          // Said before closing, so a client can tell this from a dropped connection.
          res.write('event: unauthorized\ndata: {}\n\n');
          stop();
          res.end();
        },
        () => undefined,
      );
    }, access.everyMs);
  }
}
