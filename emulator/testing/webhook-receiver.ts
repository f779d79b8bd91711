// A tiny webhook receiver for the emulator's tests: records every request and answers with a status the test
// chooses, so retries, headers and payloads can be asserted over real HTTP.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  at: number;
}

export type Responder = (request: ReceivedRequest) => number | { status: number; delayMs: number };

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests whose envelope `event` matches. */
  events(event: string): ReceivedRequest[];
  respondWith(responder: Responder): void;
  waitFor(
    predicate: (requests: ReceivedRequest[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let responder: Responder = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body,
        at: Date.now(),
      };
      requests.push(received);
      const answer = responder(received);
      const { status, delayMs } = typeof answer === 'number' ? { status: answer, delayMs: 0 } : answer;
      const send = (): void => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    events: (event) => requests.filter((r) => r.body.event === event),
    respondWith: (next) => {
      responder = next;
    },
    waitFor: async (predicate, timeoutMs = 3_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline) {
          const seen = requests.map((r) => `${String(r.body.event)} ${r.path}`).join(', ');
          throw new Error(
            `webhook receiver: condition not met within ${timeoutMs} ms (received: ${seen || 'none'})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
