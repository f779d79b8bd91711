// Server-Sent Events for one advisor: an initial snapshot, then every live event published for
// that advisor (and only that advisor), with a heartbeat so proxies keep the stream open.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus, LiveEvent } from '../../domain/events/event-bus.js';

const HEARTBEAT_MS = 15_000;

export async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  events: EventBus,
  advisorId: string,
  snapshot: LiveEvent,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let id = 0;
  const write = (event: LiveEvent) => {
    res.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
  };
  res.write('retry: 2000\n\n');
  write(snapshot);
  const unsubscribe = await events.subscribe(advisorId, write);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const stop = () => {
    clearInterval(heartbeat);
    void unsubscribe();
  };
  request.raw.on('close', stop);
  res.on('error', stop);
}
