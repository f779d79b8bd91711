// The service's command line run as a real child process (`node --import tsx src/cli.ts …`, or
// the compiled build `npm start` runs), as an operator runs it: its combined output, its exit
// code, and stdin when a command reads it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { TestDatabase } from './database.js';

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output: () => string;
  exited: Promise<number | null>;
}

/** The TypeScript sources through tsx, as in development and in the README's commands. */
export const TSX_CLI = ['--import', 'tsx', 'src/cli.ts'];
/** The JavaScript of `npm run build:server`, as `npm start` runs it. */
export const BUILT_CLI = ['--enable-source-maps', 'dist/server/src/cli.js'];

/** `npm run build:server` without npm: compiles src/ and emulator/ into dist/server (incremental). */
export function buildServer(cwd?: string): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export interface SpawnCliOptions {
  /** Written to the command's stdin, which is then closed. */
  stdin?: string;
  /** How the command line is started: TSX_CLI (default) or BUILT_CLI. */
  cli?: readonly string[];
  /** The folder it runs in (the checkout by default). */
  cwd?: string;
}

export function spawnCli(
  args: string[],
  env: Record<string, string>,
  options: SpawnCliOptions = {},
): CliProcess {
  const { stdin, cli = TSX_CLI, cwd } = options;
  const child = spawn(process.execPath, [...cli, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/**
 * The variables that point a child process at a test database. Close the database in this
 * process first when it is PGlite: one process per data directory.
 */
export function databaseEnv(location: TestDatabase['location']): Record<string, string> {
  return location.kind === 'postgres' ? { DATABASE_URL: location.url } : { PGLITE_DIR: location.dir };
}
