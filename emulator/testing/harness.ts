// Helpers shared by the emulator's tests: an emulator with short timings, a JSON client that returns status and
// body, and polling with a deadline instead of fixed sleeps.
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../server.js';

export const API_KEY = 'test-global-key';

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

// Test bodies are asserted by shape with toEqual/toMatchObject, so loose typing keeps the tests readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface TestEmulator extends RunningEmulator {
  call<T = Json>(
    method: string,
    path: string,
    options?: { body?: unknown; apikey?: string | null },
  ): Promise<Reply<T>>;
}

export async function startTestEmulator(overrides: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({
    apiKey: API_KEY,
    createQrWaitMs: 0,
    connectWaitMs: 0,
    qrTimeoutMs: 60_000,
    statusDelaysMs: null,
    reconnectDelayMs: 20,
    removeDelayMs: 0,
    webhookRetry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100, jitter: 0 },
    webhookTimeoutMs: 1_000,
    ...overrides,
  });
  return {
    ...emulator,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = {};
      const apikey = options.apikey === undefined ? API_KEY : options.apikey;
      if (apikey !== null) headers.apikey = apikey;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${emulator.url}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: response.headers,
      };
    },
  };
}

export async function poll<T>(
  read: () => Promise<T> | T,
  accept: (value: T) => boolean,
  { timeoutMs = 3_000, intervalMs = 10, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`poll: ${what} not met within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Creates an instance and, unless told otherwise, connects and scans it so it is `open`. */
export async function createInstance(
  emulator: TestEmulator,
  name: string,
  options: { open?: boolean; token?: string; webhook?: Record<string, unknown>; phone?: string } = {},
): Promise<{ token: string; instanceId: string }> {
  const created = await emulator.call('POST', '/instance/create', {
    body: {
      instanceName: name,
      integration: 'WHATSAPP-BAILEYS',
      ...(options.token ? { token: options.token } : {}),
    },
  });
  if (created.status !== 201)
    throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  if (options.webhook) {
    const set = await emulator.call('POST', `/webhook/set/${name}`, { body: { webhook: options.webhook } });
    if (set.status !== 201) throw new Error(`webhook/set ${name}: ${set.status} ${JSON.stringify(set.body)}`);
  }
  if (options.open !== false) await openInstance(emulator, name, options.phone);
  return { token: created.body.hash as string, instanceId: created.body.instance.instanceId as string };
}

export async function openInstance(emulator: TestEmulator, name: string, phone?: string): Promise<void> {
  await emulator.call('GET', `/instance/connect/${name}`);
  const scan = await emulator.call('POST', `/_emulator/instances/${name}/scan`, {
    body: phone ? { phone } : {},
    apikey: null,
  });
  if (scan.status !== 200) throw new Error(`scan ${name}: ${scan.status} ${JSON.stringify(scan.body)}`);
}
