import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWebhook } from '../../src/gateway/webhook-events.js';
import type { WebhookEvent } from '../../src/gateway/webhook-event-types.js';

// A tiny PNG (1×1) the gateway under test can point sendMedia at.
export const PIXEL_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * Receives the webhooks the target sends and reads each one with our parser, exactly as the
 * service's route will. Unreadable bodies are kept as failures (and answered 400) so the
 * contract suite can demand there were none. It also serves a PNG for sendMedia by URL.
 */
export interface WebhookReceiver {
  url: string;
  events: WebhookEvent[];
  failures: { body: string; error: string }[];
  close: () => Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const events: WebhookEvent[] = [];
  const failures: { body: string; error: string }[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/media/pixel.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from(PIXEL_PNG_BASE64, 'base64'));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      // byEvents deliveries end in /<kebab-event>; ours are registered without it.
      const suffix = /^\/hooks\/([a-z-]+)$/.exec(req.url ?? '')?.[1];
      try {
        events.push(...parseWebhook(JSON.parse(text) as unknown, { pathEvent: suffix }).events);
        res.writeHead(200).end();
      } catch (error) {
        failures.push({ body: text.slice(0, 500), error: String(error) });
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    failures,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
