// The front end's build: one HTML shell (client-demo/index.html) whose entry
// (src/main.ts) loads the module of the page at its path, each page its own
// chunk. Output goes to dist/client/, which the server serves (src/web/). The
// room protocol and the API's view types are imported from the server's own
// files through the `@shared/*` alias, never copied.
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build, defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const shared = fileURLToPath(new URL('../src/', import.meta.url));

const outDir = fileURLToPath(new URL('../dist/client/', import.meta.url));
// Framework-free server files the browser shares, by their path under src/ (client-demo/tsconfig.json).
// hls.js's light build (the same API and types): the streams are one muxed rendition ladder with
// no subtitles, alternate audio, DRM or CMCD, and the full build is a third larger (597 KB
// against 374 KB minified) for a phone to download, parse and run before the video starts.
const alias = [
  { find: /^@shared\//, replacement: shared },
  { find: /^hls\.js$/, replacement: 'hls.js/dist/hls.light.mjs' },
];

/**
 * The embeddable player (/embed.js, src/embed/embed.ts) as a library build
 * into dist/client/ after the pages: one ES module with a fixed name a
 * merchant's page can load (embed.js), its hls.js chunk in embed/ (imported
 * relative to embed.js, so it loads from the livecart host whatever page runs
 * it), and the public types (embed.d.ts). One `vite build` makes both.
 */
function embedBuild(): Plugin {
  return {
    name: 'livecart-embed',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        root,
        // The pages' build copied public/ already.
        publicDir: false,
        logLevel: 'warn',
        // What ships, whatever NODE_ENV the build runs under (jest's global set-up builds with
        // NODE_ENV=test, which would resolve Lit's development build: +7 KB gzip and a console warning).
        mode: 'production',
        resolve: { alias, conditions: ['module', 'browser', 'production'] },
        build: {
          outDir,
          // The pages' build emptied it a moment ago.
          emptyOutDir: false,
          target: 'es2022',
          sourcemap: true,
          assetsInlineLimit: 0,
          lib: {
            entry: `${root}src/embed/embed.ts`,
            formats: ['es'],
            fileName: () => 'embed.js',
          },
          // Vite keeps an ES library's whitespace (for the bundlers of its users); this one is
          // loaded by browsers as it is, so the bundler minifies it fully.
          rolldownOptions: { output: { chunkFileNames: 'embed/[name]-[hash].js', minify: true } },
          chunkSizeWarningLimit: 600,
        },
      });
      copyFileSync(`${root}src/embed/embed-api.d.ts`, `${outDir}embed.d.ts`);
      // The last step of the build: both builds' files are written.
      precompress(outDir);
    },
  };
}

/**
 * Brotli and gzip copies beside each script, stylesheet and icon of the build (file.js.br,
 * file.js.gz), which the server sends to browsers that accept them (@fastify/static's
 * `preCompressed`, app.factory.ts): a phone on a slow network gets the watch page's scripts in a
 * third of the bytes, with no compression work per request. Pages are small and the watch page
 * is rewritten per stream (share tags), so HTML is sent as it is; source maps are for developers.
 */
function precompress(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !/\.(js|css|svg)$/.test(entry.name) || statSync(file).size < 1024) continue;
    const data = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  }
}

export default defineConfig({
  root,
  base: '/',
  // Copied as they are to the build's root: the site's icon (favicon.svg, also answered at /favicon.ico).
  publicDir: 'public',
  resolve: { alias },
  plugins: [embedBuild()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // The server reads it to know the build is complete (and tests to know it is fresh).
    manifest: true,
    sourcemap: true,
    // No inline scripts or data: modules, so the pages can be sent with `script-src 'self'`.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // hls.js (~370 kB) is its own chunk, loaded only when a player starts HLS.
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
