// Builds the React UI into the server package (server/web), which serves `/` and `/assets/*`.
// The session core (@switchboard/client/worker, through src/session/worker.ts) is bundled as a
// module worker beside it.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// `npx vite` runs against a local server; the worker connects to this origin, so proxy the API and socket.
const devServer = process.env.SWITCHBOARD_DEV_SERVER ?? 'http://127.0.0.1:8080';

// No inline script or style, no eval, nothing from elsewhere: the UI talks only to its own origin
// (the session worker connects to the server). Built pages only: the dev server injects styles inline.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: for files' previews, whose bytes the session core fetches (an <img> cannot send the token).
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const contentSecurityPolicy: Plugin = {
  name: 'switchboard-content-security-policy',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
      injectTo: 'head-prepend',
    },
  ],
};

export default defineConfig({
  root,
  base: '/',
  plugins: [contentSecurityPolicy],
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../server/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': devServer,
      '/socket.io': { target: devServer, ws: true },
    },
  },
});
