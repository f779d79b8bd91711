// The retry schedule (reference §4.2): 5xx, 429 and timeouts retried with backoff; 400/401/403/404/422 dropped.
import { afterEach, describe, expect, it } from 'vitest';

import type { RetryPolicy } from './core/options.js';
import { createInstance, poll, startTestEmulator, type TestEmulator } from './testing/harness.js';
import { startReceiver, type WebhookReceiver } from './testing/webhook-receiver.js';
import { retryDelayMs } from './webhooks/delivery.js';

let emulator: TestEmulator | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await emulator?.close();
  await receiver?.close();
});

interface Attempt {
  attempt: number;
  durationMs: number;
  outcome: string;
  status: number | null;
  error: string | null;
}

async function setup(retry: RetryPolicy, timeoutMs = 1_000): Promise<void> {
  emulator = await startTestEmulator({ webhookRetry: retry, webhookTimeoutMs: timeoutMs });
  receiver = await startReceiver();
  await createInstance(emulator, 'retry', {
    webhook: { enabled: true, url: receiver.url, events: ['SEND_MESSAGE'] },
  });
}

async function attempts(until: (log: Attempt[]) => boolean): Promise<Attempt[]> {
  return poll(
    async () =>
      (await emulator!.call('GET', '/_emulator/instances/retry/webhooks', { apikey: null }))
        .body as Attempt[],
    until,
    { what: 'webhook attempts' },
  );
}

const sendOne = () =>
  emulator!.call('POST', '/message/sendText/retry', { body: { number: '34612345678', text: 'x' } });

describe('webhook retries', () => {
  it('retries a 500 until the receiver recovers', async () => {
    await setup({ maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 200, jitter: 0 });
    let calls = 0;
    receiver!.respondWith(() => (++calls < 3 ? 500 : 200));
    await sendOne();
    const log = await attempts((l) => l.some((a) => a.outcome === 'delivered'));
    expect(log.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, 'retrying'],
      [2, 500, 'retrying'],
      [3, 200, 'delivered'],
    ]);
    const gaps = receiver!.requests.slice(1).map((r, i) => r.at - receiver!.requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    const stats = (await emulator!.call('GET', '/_emulator/stats', { apikey: null })).body;
    expect(stats.webhooks).toMatchObject({ delivered: 1, retried: 2 });
  });

  it('gives up after maxAttempts and also retries 429', async () => {
    await setup({ maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20, jitter: 0 });
    receiver!.respondWith(() => 429);
    await sendOne();
    const log = await attempts((l) => l.some((a) => a.outcome === 'failed'));
    expect(log.map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'failed']);
    expect(receiver!.requests).toHaveLength(3);
  });

  it.each([400, 401, 403, 404, 422])('drops the delivery at once on %i', async (status) => {
    await setup({ maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 20, jitter: 0 });
    receiver!.respondWith(() => status);
    await sendOne();
    const log = await attempts((l) => l.length > 0);
    expect(log).toEqual([expect.objectContaining({ attempt: 1, status, outcome: 'rejected' })]);
    await sendOne();
    await attempts((l) => l.length > 1);
    expect(receiver!.requests).toHaveLength(2);
  });

  it('retries a receiver that does not answer in time', async () => {
    await setup({ maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 20, jitter: 0 }, 250);
    let calls = 0;
    receiver!.respondWith(() => (++calls === 1 ? { status: 200, delayMs: 1_500 } : 200));
    await sendOne();
    const log = await attempts((l) => l.some((a) => a.outcome === 'delivered'));
    expect(log[0]).toMatchObject({ attempt: 1, status: null, outcome: 'retrying' });
    expect(log[0]!.error).toMatch(/timeout/i);
    expect(log[0]!.durationMs).toBeLessThan(1_400);
    expect(log.at(-1)).toMatchObject({ status: 200, outcome: 'delivered' });
  });

  it('retries connection errors', async () => {
    emulator = await startTestEmulator({
      webhookRetry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20, jitter: 0 },
    });
    await createInstance(emulator, 'retry', {
      webhook: { enabled: true, url: 'http://127.0.0.1:9/closed-port', events: ['SEND_MESSAGE'] },
    });
    await sendOne();
    const log = await attempts((l) => l.some((a) => a.outcome === 'failed'));
    expect(log.map((a) => a.outcome)).toEqual(['retrying', 'failed']);
    expect(log[0]!.error).toMatch(/ECONNREFUSED/);
  });

  it('stops pending retries on close()', async () => {
    await setup({ maxAttempts: 10, initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 });
    receiver!.respondWith(() => 503);
    await sendOne();
    await attempts((l) => l.length === 1);
    const started = Date.now();
    await emulator!.close();
    // Far below the 60 s retry it would otherwise wait for, with room for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(receiver!.requests).toHaveLength(1);
    emulator = undefined;
  });
});

describe('retryDelayMs', () => {
  const real = { maxAttempts: 10, initialDelayMs: 5_000, maxDelayMs: 300_000, jitter: 0.2 };

  it('doubles from the initial delay up to the maximum', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(n, real, middle))).toEqual([
      5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('applies ±jitter but never goes below the initial delay', () => {
    expect(retryDelayMs(3, real, () => 1)).toBe(24_000);
    expect(retryDelayMs(3, real, () => 0)).toBe(16_000);
    expect(retryDelayMs(1, real, () => 0)).toBe(5_000);
  });
});
