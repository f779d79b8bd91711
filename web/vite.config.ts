// Builds the dashboard and public profile page into web/dist, which the API server serves.
// In development (`npx vite --config web/vite.config.ts`) the API runs on :3000 and Vite proxies
// to it, rewriting Origin so better-auth accepts the request as same-origin.
import { defineConfig, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';

const API = 'http://localhost:3000';
const here = (relative: string): string => decodeURIComponent(new URL(relative, import.meta.url).pathname);

const proxy: ProxyOptions = {
  target: API,
  changeOrigin: true,
  configure: (server) => {
    server.on('proxyReq', (req) => {
      if (req.getHeader('origin')) req.setHeader('origin', API);
    });
  },
};

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  build: { outDir: here('./dist'), emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': proxy,
      '/_emulator': proxy,
      // `/p/:slug` pages are the SPA itself: Vite serves them in development; anything else under
      // /p/ (non-HTML requests) goes to the server.
      '/p/': {
        ...proxy,
        bypass: (req) => (req.headers.accept?.includes('text/html') ? '/index.html' : undefined),
      },
    },
  },
});
