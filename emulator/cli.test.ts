// The emulator's command line as a user runs it (`npm run emulator -- --port N`): a real process,
// called over real HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

import { poll } from './testing/harness.js';

let child: ChildProcess | undefined;

afterEach(() => {
  // npm → sh → node: stop the whole process group this test started.
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  child = undefined;
});

function run(
  args: string[],
  env: Record<string, string> = {},
): { output: () => string; exited: Promise<number | null> } {
  const { EMULATOR_API_KEY: _ignored, ...inherited } = process.env;
  child = spawn('npm', ['run', '--silent', 'emulator', '--', ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
  return { output: () => out, exited };
}

async function started(output: () => string): Promise<string> {
  const text = await poll(output, (o) => /listening on (http:\/\/\S+)/.test(o), {
    timeoutMs: 20_000,
    intervalMs: 50,
    what: 'the emulator to listen',
  });
  return /listening on (http:\/\/\S+)/.exec(text)![1]!;
}

// Each test starts npm, tsx and the emulator: seconds of start-up on a loaded machine.
describe('npm run emulator', { timeout: 60_000 }, () => {
  it('starts with only --port, generating a global key it prints and then enforces', async () => {
    const proc = run(['--port', '0']);
    const url = await started(proc.output);
    const key = (
      await poll(proc.output, (o) => /API key \(generated[^)]*\): ([0-9a-f]{32})/.test(o), {
        timeoutMs: 5_000,
      })
    ).match(/API key \(generated[^)]*\): ([0-9a-f]{32})/)![1]!;

    const root = await fetch(`${url}/`);
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({
      status: 200,
      message: expect.stringContaining('Evolution API'),
    });
    const create = (apikey: string) =>
      fetch(`${url}/instance/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey },
        body: JSON.stringify({ instanceName: 'from-cli', integration: 'WHATSAPP-BAILEYS' }),
      });
    expect((await create('wrong')).status).toBe(401);
    const created = await create(key);
    expect(created.status).toBe(201);
    expect((await created.json()).instance.instanceName).toBe('from-cli');
  });

  it('uses the key it is given, and prints none', async () => {
    const proc = run(['--port', '0', '--fast'], { EMULATOR_API_KEY: 'chosen-key' });
    const url = await started(proc.output);
    const state = await fetch(`${url}/instance/fetchInstances`, { headers: { apikey: 'chosen-key' } });
    expect(state.status).toBe(200);
    expect(proc.output()).not.toContain('generated');
  });

  it('answers --help with its own usage and exit code 0, starting nothing', async () => {
    const proc = run(['--help']);
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toMatch(/^Usage: emulator \[--port 8085\]/);
    expect(proc.output()).not.toContain('listening');
  });

  it('refuses a port that is not one with the usage and exit code 2', async () => {
    const proc = run(['--port', 'eighty']);
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain('Usage:');
  });
});
