// A deploy stops the service (SIGTERM → stopService) while callers are mid-request. Found by the
// rolling-restart drill: the server destroyed the connections of requests in flight, so a send
// committed by then reached its caller as a network error (a caller without an Idempotency-Key
// sends it again), and the runtime closed Redis under it, leaving its job to the sweeper.
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { QUEUES, sendJobId } from '../../src/jobs/catalogue.js';
import { stopService } from '../../src/shutdown.js';
import { logSink, type LogSink } from '../support/logs.js';
import { startTestService, type TestService } from '../support/service.js';
import { openSse } from '../support/sse.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let sink: LogSink;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  sink = logSink();
  service = await startTestService({ logger: pino({ level: 'info' }, sink.stream) });
  ana = await connectedAdvisor(service, 'Ana Despliegue');
});
afterAll(async () => {
  // The service is stopped by the test; closing it again only has the database and prefix to drop.
  await service?.close().catch(() => undefined);
});

describe('stopping the service while requests are in flight', { timeout: 60_000 }, () => {
  it('refuses a request that arrives while the server closes with the documented 503 body', async () => {
    service.runtime.lifecycle.closing = true;
    try {
      const res = await ana.client.get('/api/whatsapp/config');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'service_unavailable', details: { shuttingDown: true } });
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      // Expected on every deploy: logged as information, not as a dependency down.
      const refusals = sink
        .lines()
        .filter((l) => l.reqId === res.headers.get('x-request-id') && (l.level as number) >= 30);
      expect(refusals.map((l) => [l.level, l.msg])).toContainEqual([30, 'refused: shutting down']);
      expect(refusals.filter((l) => (l.level as number) >= 40)).toEqual([]);
    } finally {
      service.runtime.lifecycle.closing = false;
    }
    expect((await ana.client.get('/api/whatsapp/config')).status).toBe(200);
  });

  it('answers them, closes their connections, ends live streams, and only then closes the queues', async () => {
    const stream = await openSse(`${service.url}/api/whatsapp/events`, ana.client.cookieHeader());
    await stream.next((e) => e.event === 'status');
    const pool = new Pool(service.url, { connections: 2 });
    try {
      // Two keep-alive connections, idle when the stop begins, as in a caller's pool.
      await Promise.all(
        [1, 2].map(() => pool.request({ path: '/health', method: 'GET' }).then((r) => r.body.text())),
      );
      // A send whose body is still arriving when the stop begins.
      const body = JSON.stringify({ to: '+34611000001', text: 'Enviado durante un despliegue' });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      async function* chunks() {
        yield body.slice(0, 10);
        await gate;
        yield body.slice(10);
      }
      const inFlight = pool.request({
        path: '/api/whatsapp/send',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          cookie: ana.client.cookieHeader(),
        },
        body: Readable.from(chunks()),
      });
      await waitFor(
        async () =>
          sink
            .lines()
            .some(
              (l) => l.msg === 'incoming request' && l.req && (l.req as any).url === '/api/whatsapp/send',
            ),
        (seen) => seen,
        { what: 'the server reading the send request' },
      );

      const stopping = stopService({
        app: service.app,
        runtime: service.runtime,
        metricsServer: null,
        drainMs: 0,
      });
      // The live stream is ended rather than holding the close open; the browser reconnects.
      await stream.ended;
      release();
      const res = await inFlight;
      const answer = (await res.body.json()) as { message: { id: string } };
      expect(res.statusCode).toBe(202);
      expect(res.headers.connection).toBe('close');
      await stopping;

      // The send was queued before Redis closed: its job is there, or the worker already sent it.
      const row = await findMessage(service.runtime.ctx.db, ana.userId, answer.message.id);
      const redis = new Redis(service.config.redis.url);
      try {
        const job = await redis.exists(
          `${service.config.redis.prefix}:${QUEUES.send}:${sendJobId(answer.message.id)}`,
        );
        expect(job === 1 || ['sent', 'delivered', 'read'].includes(row!.status)).toBe(true);
      } finally {
        redis.disconnect();
      }
      expect(sink.text()).not.toContain('enqueue failed');
    } finally {
      stream.close();
      await pool.close();
    }
  });
});
