// The front end's build: one HTML entry per page (client-demo/*.html), each
// loading one small module from src/pages/. Output goes to dist/client/, which
// the server serves (src/web/client-dir.ts). The room protocol is imported from
// the server's own file through the `@shared/*` alias, never copied.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const shared = fileURLToPath(new URL('../src/', import.meta.url));

const pages = Object.fromEntries(
  readdirSync(root)
    .filter((f) => f.endsWith('.html'))
    .map((f) => [f.replace(/\.html$/, ''), `${root}${f}`]),
);

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  resolve: {
    alias: {
      // Framework-free server files the browser shares (see client-demo/tsconfig.json).
      '@shared/room-protocol': `${shared}room/protocol.ts`,
      '@shared/countries': `${shared}common/geo/countries.ts`,
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/client/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The server reads it to know the build is complete (and tests to know it is fresh).
    manifest: true,
    sourcemap: true,
    // No inline scripts or data: modules, so the pages can be sent with `script-src 'self'`.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: { input: pages },
    // hls.js (~580 kB) is its own chunk, loaded only when a player starts HLS.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true },
      '/hls': 'http://127.0.0.1:3000',
      '/whip': 'http://127.0.0.1:3000',
      '/whep': 'http://127.0.0.1:3000',
    },
  },
});
