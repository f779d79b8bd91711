// The real process, as an operator runs it: starts, serves, and shuts down cleanly on SIGTERM.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
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

// Each test starts a real process (tsx, migrations, Redis): slow on a loaded machine.
describe('the service process', { timeout: 120_000 }, () => {
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
    await waitFor(() => proc.output().includes('dashboard and API at'), 90_000);
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

  it('goes on with its shutdown when SIGTERM comes again, instead of dying mid-drain', async () => {
    // A second SIGTERM (an impatient operator, a supervisor that repeats it) found no handler
    // left (`process.once`) and killed the process at once: requests and jobs in flight cut.
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const proc = start(
      testEnv({
        LOG_LEVEL: 'info',
        PORT: String(port),
        EVOLUTION_API_URL: 'http://127.0.0.1:9',
        EVOLUTION_API_KEY: 'unused',
        SHUTDOWN_DRAIN_MS: '1500',
        ...databaseEnv(database.location),
      }),
    );
    await waitFor(() => proc.output().includes('dashboard and API at'), 90_000);
    proc.child.kill('SIGTERM');
    await waitFor(() => proc.output().includes('shutting down'), 5_000);
    proc.child.kill('SIGTERM');
    proc.child.kill('SIGINT');
    // Still draining: it answers, and says it is going.
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(503);
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('already shutting down');
    expect(proc.output()).toContain('shutdown complete');
  });

  it('prints one line per configuration problem and exits 1', async () => {
    const proc = start({ ...testEnv(), PORT: 'not-a-port', REDIS_URL: 'http://x' });
    expect(await proc.exited).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toEqual([
      // In words, not zod's "expected number, received NaN".
      'config error: PORT: must be a whole number',
      expect.stringMatching(/^config error: REDIS_URL:/),
    ]);
  });

  it('refuses an option it does not know instead of ignoring it', async () => {
    const proc = spawnCli(['serve', '--rol', 'worker'], testEnv(databaseEnv(database.location)));
    // Without the check it would start serving: stop it after a while rather than leave it running.
    const stop = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
    const code = await proc.exited;
    clearTimeout(stop);
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/^unknown option --rol/);
    expect(proc.output()).toContain('usage: wellness-whatsapp');
  });

  it('with no EVOLUTION_API_URL runs in sandbox mode: says so, and its emulator answers', async () => {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const env = testEnv({
      LOG_LEVEL: 'info',
      PORT: String(port),
      // Empty means unset, whatever the test runner's own environment holds.
      EVOLUTION_API_URL: '',
      EVOLUTION_API_KEY: '',
      EMULATOR_PORT: '',
      ...databaseEnv(database.location),
    });
    const proc = start(env);
    try {
      await waitFor(() => proc.output().includes('dashboard and API at'), 90_000);
      const line = /sandbox mode: Evolution API emulator at (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output());
      expect(line, proc.output()).not.toBeNull();
      const emulatorUrl = line![1]!;
      // The generated dev key is the one the emulator enforces.
      const secrets = JSON.parse(readFileSync(path.join(env.DATA_DIR!, 'dev-secrets.json'), 'utf8')) as {
        EMULATOR_API_KEY: string;
      };
      const create = (apikey: string) =>
        fetch(`${emulatorUrl}/instance/create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', apikey },
          body: JSON.stringify({ instanceName: 'sandbox-check', integration: 'WHATSAPP-BAILEYS' }),
        });
      expect((await create('wrong')).status).toBe(401);
      expect((await create(secrets.EMULATOR_API_KEY)).status).toBe(201);
      // …and its control API is reachable on the service's own address.
      const listed = await fetch(`http://127.0.0.1:${port}/_emulator/instances`);
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual([expect.objectContaining({ name: 'sandbox-check' })]);
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
  });

  it('stops with one line when data/dev-secrets.json is damaged, instead of replacing it', async () => {
    const env = testEnv({ ENCRYPTION_KEY: '', BETTER_AUTH_SECRET: '', ...databaseEnv(database.location) });
    const file = path.join(env.DATA_DIR!, 'dev-secrets.json');
    writeFileSync(file, '{"ENCRYPTION_KEY":');
    const proc = start(env);
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim().split('\n')).toEqual([
      expect.stringMatching(
        /^config error: .*dev-secrets\.json: is not valid JSON; restore it from a backup/,
      ),
    ]);
    expect(readFileSync(file, 'utf8')).toBe('{"ENCRYPTION_KEY":');
  });

  it('refuses --role worker in sandbox mode with no EMULATOR_PORT, in one line', async () => {
    const proc = spawnCli(
      ['serve', '--role', 'worker'],
      testEnv({
        EVOLUTION_API_URL: '',
        EVOLUTION_API_KEY: '',
        EMULATOR_PORT: '',
        ...databaseEnv(database.location),
      }),
    );
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim().split('\n')).toEqual([
      expect.stringMatching(/^fatal: sandbox mode .* one process: .*EVOLUTION_API_URL.*EMULATOR_PORT/),
    ]);
  });

  it('stops with one line naming PORT when the port is taken', async () => {
    // The runtime (and with role all its workers) is up before the listen: it used to print
    // "listen EADDRINUSE: address already in use …" and exit at once, a job a worker had taken
    // left half done. The workers are stopped as on SIGTERM, then one line names the variable.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const proc = start(
        testEnv({
          PORT: String(port),
          HOST: '127.0.0.1',
          EVOLUTION_API_URL: 'http://127.0.0.1:9',
          EVOLUTION_API_KEY: 'unused',
          ...databaseEnv(database.location),
        }),
      );
      expect(await proc.exited).toBe(1);
      expect(proc.output().trim().split('\n').at(-1)).toBe(
        `fatal: PORT ${port} is already in use on 127.0.0.1.`,
      );
    } finally {
      taken.close();
    }
  });
});
