// Makes sure web/dist holds a build of the current web/ sources before a browser test loads it.
// Test files run in parallel, so a lock directory keeps them from building at the same time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const web = path.join(repo, 'web');
const index = path.join(web, 'dist', 'index.html');
const lock = path.join(repo, 'node_modules', '.cache', 'ww-web-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const upToDate = () => existsSync(index) && statSync(index).mtimeMs >= newestSource(web);

export async function ensureWebBuild(): Promise<void> {
  if (upToDate()) return;
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than two minutes is a crashed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another web build');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!upToDate()) {
      execFileSync(
        process.execPath,
        [
          path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js'),
          'build',
          '--config',
          path.join(web, 'vite.config.ts'),
          '--logLevel',
          'warn',
        ],
        {
          cwd: repo,
          stdio: 'inherit',
          // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
          env: { ...process.env, NODE_ENV: 'production' },
        },
      );
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
