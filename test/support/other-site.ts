import * as http from 'node:http';
import { freePort } from './test-app';

/** A merchant's site on another loopback port: another origin than the app's. */
export interface OtherSite {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves the HTML `page(url)` returns for every path, from 127.0.0.1 on a free
 * port. Pass `port` when the app must know the origin before the site starts
 * (EMBED_ALLOWED_ORIGINS).
 */
export async function startOtherSite(page: (url: URL) => string, port?: number): Promise<OtherSite> {
  const p = port ?? (await freePort());
  const origin = `http://127.0.0.1:${p}`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page(new URL(req.url ?? '/', origin)));
  });
  await new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
  return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A page embedding `streamId` with the app's /embed.js, as a merchant pastes it; `extra` goes after the player. */
export function embedPage(
  baseUrl: string,
  streamId: string,
  opts: { attrs?: string; extra?: string } = {},
): string {
  return `<!doctype html><html><head><title>Shop</title>
    <script src="${baseUrl}/embed.js" type="module"></script></head>
    <body><h1>Our shop</h1><livecart-player stream="${streamId}" ${opts.attrs ?? ''}></livecart-player>${opts.extra ?? ''}</body></html>`;
}
