// webRoutes on its own: files from the build, index.html for page paths (deep links and
// /p/:slug), the not-found handler for server prefixes and missing assets, and a hint page when
// the app has not been built.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { webRoutes } from '../../src/api/routes/web.route.js';

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

async function build(root: string): Promise<FastifyInstance> {
  app = Fastify();
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'route_not_found', message: `No route ${request.method} ${request.url}`, details: {} },
    }),
  );
  app.get('/api/known', async () => ({ ok: true }));
  await webRoutes(app, { root });
  return app;
}

function fakeBuild(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ww-web-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'embed.js'), '/* embed */');
  return root;
}

describe('webRoutes', () => {
  it('serves files, and index.html for the app’s page paths', async () => {
    await build(fakeBuild());
    const asset = await app.inject('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/embed.js')).body).toBe('/* embed */');
    for (const page of ['/', '/whatsapp', '/inbox/%2B34612345678', '/p/ana-lopez', '/templates/new?x=1']) {
      const res = await app.inject(page);
      expect(res.statusCode, page).toBe(200);
      expect(res.headers['content-type'], page).toContain('text/html');
      expect(res.headers['cache-control'], page).toBe('no-cache');
      expect(res.body, page).toContain('<div id="root">');
    }
  });

  it('leaves server prefixes, missing assets and other methods to the not-found handler', async () => {
    await build(fakeBuild());
    expect((await app.inject('/api/known')).json()).toEqual({ ok: true });
    for (const url of [
      '/api/unknown',
      '/api',
      '/_emulator/x',
      '/docs/nothing',
      '/metrics',
      '/assets/gone.js',
      '/favicon.ico',
    ]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('route_not_found');
    }
    expect((await app.inject({ method: 'POST', url: '/whatsapp' })).statusCode).toBe(404);
  });

  it('never serves files outside the build', async () => {
    await build(fakeBuild());
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const res = await app.inject(url);
      expect(res.body, url).not.toContain('"name"');
    }
  });

  it('answers a page saying how to build when web/dist is missing', async () => {
    await build(path.join(os.tmpdir(), 'ww-web-does-not-exist'));
    const res = await app.inject('/whatsapp');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('npm run build:web');
    expect((await app.inject('/api/unknown')).statusCode).toBe(404);
  });
});
