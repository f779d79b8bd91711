// `--help` as an operator types it, or its short form `-h`: the service's command line answers
// with its own usage, and with the emulator's when the command is `emulator` (which has options
// of its own).
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli-process.js';
import { testEnv } from '../support/service.js';

// Each test starts tsx: seconds on a loaded machine.
describe('the command line --help', { timeout: 60_000 }, () => {
  it('prints the service usage and exits 0', async () => {
    // `-h` was "unknown option --h" with exit code 1.
    for (const args of [['--help'], ['-h']]) {
      const proc = spawnCli(args, testEnv());
      expect(await proc.exited, args.join(' ')).toBe(0);
      expect(proc.output(), args.join(' ')).toMatch(/^usage: wellness-whatsapp <command>/);
    }
  });

  it('after `emulator`, prints the emulator usage, not the service one', async () => {
    for (const args of [
      ['emulator', '--help'],
      ['emulator', '--port', '8085', '--help'],
      // The emulator's own parser refused `-h` ("Unknown option '-h'", exit code 1).
      ['emulator', '-h'],
      ['-h', 'emulator'],
    ]) {
      const proc = spawnCli(args, testEnv());
      expect(await proc.exited, args.join(' ')).toBe(0);
      const output = proc.output();
      expect(output, args.join(' ')).toMatch(/^Usage: .*emulator/);
      expect(output).toContain('--api-key KEY');
      expect(output).not.toContain('usage: wellness-whatsapp');
    }
  });

  it('names a mistyped option as it was typed, short or long', async () => {
    // `-x` was reported as "unknown option --x": an option the operator never typed.
    for (const [args, named] of [
      [['-x'], '-x'],
      [['serve', '--rol', 'worker'], '--rol'],
      [['-q', '--zz'], '-q, --zz'],
    ] as const) {
      const proc = spawnCli([...args], testEnv());
      expect(await proc.exited, args.join(' ')).toBe(1);
      expect(proc.output().split('\n')[0], args.join(' ')).toBe(`unknown option ${named}`);
    }
  });

  it('says an option that takes a value was given none, instead of reading it as "true"', async () => {
    // `serve --role` said 'unknown role "true"'; `create-admin --email a@b.c --password` said
    // "[body.password] … received boolean".
    for (const [args, named] of [
      [['serve', '--role'], '--role'],
      [['create-admin', '--email', 'a@b.c', '--password'], '--password'],
      [['serve', '--role', '--port', '1'], '--role'],
    ] as const) {
      const proc = spawnCli([...args], testEnv());
      expect(await proc.exited, args.join(' ')).toBe(1);
      expect(proc.output().split('\n')[0], args.join(' ')).toBe(`option ${named} needs a value`);
    }
    // A value that only starts with "-" is a value (a password may): the command goes on to its
    // own checks (here, the missing --email).
    const dashed = spawnCli(['create-admin', '--password', '-secreto-123'], testEnv());
    expect(await dashed.exited).toBe(1);
    expect(dashed.output()).toContain('create-admin needs --email');
  });
});
