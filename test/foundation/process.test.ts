// The real process, as an operator runs it: starts, serves, and shuts down cleanly on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { databaseEnv, spawnCli } from '../support/cli-process.js';
import { testEnv } from '../support/service.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // PGlite allows one process per data directory: hand it over to the child.
  await database.close();
});
afterAll(async () => {
  await database.destroy();
});

const start = (env: Record<string, string>) => spawnCli(['serve'], env);

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the service process', () => {
  it('serves, then on SIGTERM drains (/ready 503), closes everything and exits 0', async () => {
    // Below the ephemeral range (32768+), where nothing bound to port 0 can take it.
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const location = database.location;
    const env = testEnv({
      LOG_LEVEL: 'info',
      PORT: String(port),
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'unused',
      SHUTDOWN_DRAIN_MS: '1500',
      ...databaseEnv(location),
    });
    const proc = start(env);
    await waitFor(() => proc.output().includes('dashboard and API at'), 30_000);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });

    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);

    proc.child.kill('SIGTERM');
    // While draining the server still answers, and /ready tells the load balancer to move away.
    await waitFor(() => proc.output().includes('shutting down'), 5_000);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).error.message).toMatch(/shutting down/);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('shutdown complete');
  });

  it('prints one line per configuration problem and exits 1', async () => {
    const proc = start({ ...testEnv(), PORT: 'not-a-port', REDIS_URL: 'http://x' });
    expect(await proc.exited).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^config error: PORT:/),
      expect.stringMatching(/^config error: REDIS_URL:/),
    ]);
  });
});
