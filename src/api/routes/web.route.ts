// Serves the built dashboard and public profile page (web/dist) from the API's own address. Any
// GET that is not a file and not under a server prefix gets index.html, so the single-page app's
// routes (/whatsapp, /inbox/+34…, /p/:slug) load on a reload or a shared link. Server prefixes
// fall through to the one not-found handler, so an unknown /api path keeps its JSON 404.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { projectPath } from '../../project-root.js';

const DEFAULT_ROOT = projectPath('web', 'dist');
const SERVER_PREFIXES = ['/api', '/_emulator', '/docs', '/health', '/ready', '/metrics'];

export interface WebRoutesOptions {
  /** The built app; the checkout's web/dist by default. */
  root?: string;
}

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The dashboard has not been built yet</h1>
<p>Run <code>npm run build:web</code> (or <code>npx vite build --config web/vite.config.ts</code>) and reload this page.</p>
<p>The API itself is running: see <a href="/docs">/docs</a>.</p>
</body></html>`;

function isServerPath(urlPath: string): boolean {
  return SERVER_PREFIXES.some((prefix) => urlPath === prefix || urlPath.startsWith(`${prefix}/`));
}

/** The file under root that `urlPath` names, or null (missing, a directory, or outside root). */
function fileUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, `.${path.posix.normalize(decoded)}`);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  try {
    return statSync(full).isFile() ? path.relative(root, full) : null;
  } catch {
    return null;
  }
}

export async function webRoutes(app: FastifyInstance, options: WebRoutesOptions = {}): Promise<void> {
  const root = path.resolve(options.root ?? DEFAULT_ROOT);

  // In its own scope so reply.sendFile stays local to these routes.
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false });

    const sendIndex = (reply: FastifyReply) => {
      if (!existsSync(path.join(root, 'index.html')))
        return reply.type('text/html; charset=utf-8').send(MISSING_BUILD);
      return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
    };

    scope.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const urlPath = request.url.split('?')[0] ?? '/';
      if (isServerPath(urlPath)) return reply.callNotFound();
      const file = fileUnder(root, urlPath);
      if (file && file !== 'index.html') {
        // Vite puts content-hashed names under assets/: they never change, so cache them for good.
        const hashed = file.startsWith(`assets${path.sep}`);
        return reply.sendFile(file, root, hashed ? { maxAge: '1y', immutable: true } : { maxAge: '5m' });
      }
      // A missing asset is a 404, not the app's HTML (a browser would try to run it as a script).
      if (urlPath.startsWith('/assets/') || /\.(js|css|map|svg|png|jpe?g|ico|webp|woff2?)$/.test(urlPath)) {
        return reply.callNotFound();
      }
      return sendIndex(reply);
    });
  });
}
