// `npm start` runs the service compiled to JavaScript (`npm run build:server` → dist/server), not
// the TypeScript through tsx. This builds it as `prestart` does and runs it as an operator would,
// in the quick start's sandbox mode, from a folder holding only what OPERATIONS says an image
// needs (no src/, no emulator/): it must find the project's other files (the migrations, the
// dashboard), run the emulator it carries, serve, and stop cleanly.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild } from '../browser/support/web-build.js';
import { BUILT_CLI, buildServer, databaseEnv, spawnCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort, testEnv } from '../support/service.js';
import { waitFor } from '../support/wait.js';

let database: TestDatabase;
let image: string;
beforeAll(async () => {
  image = mkdtempSync(path.join(os.tmpdir(), 'ww-image-'));
  database = await createTestDatabase();
  // PGlite allows one process per data directory: hand it over to the child.
  await database.close();
});
afterAll(async () => {
  await database.destroy();
  rmSync(image, { recursive: true, force: true });
});

/** OPERATIONS, "Image": dist/server, drizzle/, web/dist, node_modules and package.json. */
function assembleImage(): void {
  for (const part of ['dist/server', 'drizzle', 'web/dist', 'package.json'])
    cpSync(part, path.join(image, part), { recursive: true });
  symlinkSync(path.resolve('node_modules'), path.join(image, 'node_modules'));
}

describe('the compiled build', { timeout: 240_000 }, () => {
  it('is what npm start builds and runs', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toBe(`node ${BUILT_CLI.join(' ')} serve`);
    expect(scripts.prestart).toBe('npm run build');
    expect(scripts.build).toContain('npm run build:server');
    expect(scripts['build:server']).toBe('tsc -p tsconfig.build.json');
  });

  it('compiles, then serves the API, the dashboard and the sandbox emulator from an image of the build, and stops on SIGTERM', async () => {
    buildServer();
    await ensureWebBuild();
    assembleImage();
    const port = await freePort();
    const env = testEnv({ LOG_LEVEL: 'info', PORT: String(port), ...databaseEnv(database.location) });
    const proc = spawnCli(['serve'], env, { cli: BUILT_CLI, cwd: image });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        async () => proc.output(),
        (out) => out.includes('dashboard and API at') || proc.child.exitCode !== null,
        { what: 'the compiled service listening', timeoutMs: 120_000 },
      );
      expect(proc.child.exitCode, proc.output()).toBeNull();

      const emulatorUrl = /Evolution API emulator at (http:\/\/\S+)/.exec(proc.output())?.[1];
      expect(emulatorUrl, proc.output()).toBeDefined();
      // The emulator speaks Evolution's wire format: its root answers with its welcome.
      const emulator = await fetch(emulatorUrl!);
      expect(emulator.status).toBe(200);
      expect((await emulator.json()).message).toMatch(/^Welcome to the Evolution API/);

      expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
      const page = await fetch(`${base}/whatsapp`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<div id="root"></div>');
      const unauthenticated = await fetch(`${base}/api/whatsapp/config`);
      expect(unauthenticated.status).toBe(401);
      expect((await unauthenticated.json()).error.code).toBe('unauthorized');
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('shutdown complete');
  });
});
