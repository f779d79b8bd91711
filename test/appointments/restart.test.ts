// A scheduled reminder survives a restart: booked on one process (API and workers), which is
// then shut down before the reminder is due; a new process on the same Redis prefix and the same
// database sends it once, at its time. The emulator runs on its own, as a real gateway would, so
// it outlives both processes and keeps what the phone received.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startSandboxGateway, type SandboxGateway } from '../../src/sandbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deletePrefix, freePort, testEnv, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { booking, bookingAdvisor, inSeconds, onlyOne, textsTo, waitForStatus } from './support.js';

interface Running {
  url: string;
  runtime: Runtime;
  close(): Promise<void>;
}

let database: TestDatabase;
let emulator: SandboxGateway;
let env: Record<string, string>;
let current: Running | null = null;

/** One service process (API and workers) on the shared database, Redis prefix and port. */
async function startProcess(): Promise<Running> {
  const config = loadConfig(env);
  const runtime = await createRuntime(config, createLogger(config.logLevel), 'all', { database });
  const app = await buildApp(runtime);
  await app.listen({ port: Number(env.PORT), host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${env.PORT}`,
    runtime,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testEnv({ EVOLUTION_API_KEY: 'restart-gateway-key', RECONNECT_POLL_MS: '200' });
  emulator = await startSandboxGateway(loadConfig(base), {
    connectWaitMs: 20,
    createQrWaitMs: 20,
    statusDelaysMs: { serverAck: 20, deliveryAck: 40, read: 60 },
    webhookRetry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 500, jitter: 0 },
  });
  // The same port for both processes: the webhook URL registered with the gateway stays valid.
  const port = await freePort();
  env = {
    ...base,
    EVOLUTION_API_URL: emulator.url,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  };
});

afterAll(async () => {
  await current?.close();
  await emulator?.close();
  await database?.destroy();
  if (env) await deletePrefix(env.REDIS_URL!, env.REDIS_PREFIX!);
});

describe('a scheduled reminder across a restart', () => {
  it('is sent once, at its time, by the process started after the one that scheduled it', async () => {
    current = await startProcess();
    const service = { url: current.url, emulatorUrl: emulator.url, runtime: current.runtime } as TestService;
    const ana = await bookingAdvisor(service, 'Ana', { reminderOffsetMinutes: 1 });

    // The reminder is due in 20 s (time to shut down and start again on a busy machine); the
    // appointment starts a minute later.
    const body = booking({ startsAt: inSeconds(60 + 20).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    expect(booked.status).toBe(201);
    const reminder = onlyOne(booked.body.messages, 'reminder');
    const due = Date.parse(reminder.scheduledAt);
    await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, ['sent', 'delivered', 'read']);

    // Shut down (API, workers, queues, Redis connections) before the reminder is due.
    await current.close();
    current = null;
    const redis = new Redis(env.REDIS_URL!);
    try {
      expect(await redis.exists(`${env.REDIS_PREFIX}:send:send-${reminder.id}`)).toBe(1);
    } finally {
      redis.disconnect();
    }
    expect(await textsTo(ana, body.clientPhone)).toHaveLength(1); // the confirmation only

    current = await startProcess();
    expect(Date.now()).toBeLessThan(due); // the new process, not the old one, has to fire it
    const sent = await waitForStatus(
      ana,
      reminder.id,
      ['sent', 'delivered', 'read'],
      due - Date.now() + 15_000,
    );
    expect(Date.parse(sent.sentAt)).toBeGreaterThanOrEqual(due);
    expect(sent.attempts).toBe(1);

    // Exactly once on the phone, also a moment later.
    await new Promise((r) => setTimeout(r, 1_000));
    const reminders = (await textsTo(ana, body.clientPhone)).filter((t) => t.includes('recuerdo'));
    expect(reminders).toHaveLength(1);
    await waitFor(
      () => ana.api.get(`/api/appointments/${encodeURIComponent(body.externalId)}`),
      (r) =>
        r.body.timeline.filter((e: any) => e.type === 'sent' && e.messageId === reminder.id).length === 1,
      { what: 'one send of the reminder in the timeline' },
    );
  }, 90_000);
});
