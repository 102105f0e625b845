import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The built front end (`dist/client/`, made by `vite build` from client-demo/)
 * at the project root, found from src/web (ts) or dist/src/web (built); null
 * when it has not been built. The API works without it; the pages then answer
 * 503 saying how to build them.
 */
export function findClientDir(from = __dirname): string | null {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dist', 'client');
    if (fs.existsSync(path.join(candidate, '.vite', 'manifest.json'))) return candidate;
  }
  return null;
}

export const CLIENT_DIR = findClientDir();

/**
 * The pages' Content-Security-Policy: scripts and styles only from this
 * origin (the build has no inline script or style), so injected markup cannot
 * run. Images may come from anywhere (product images are merchants' URLs);
 * the payment page may be framed from the provider's origin (PUBLIC_URL).
 * `frameAncestors`: who may frame the page (clickjacking): this server for
 * most pages, the embedding sites (EMBED_ALLOWED_ORIGINS) for the watch page,
 * and nothing stated for the payment provider's page, which is its own.
 */
export function contentSecurityPolicy(publicUrl: string, frameAncestors?: string): string {
  let provider = '';
  try {
    provider = ` ${new URL(publicUrl).origin}`;
  } catch {
    provider = '';
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    'img-src * data: blob:',
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    `frame-src 'self'${provider}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    ...(frameAncestors ? [`frame-ancestors ${frameAncestors}`] : []),
  ].join('; ');
}

/** The CSP `frame-ancestors` sources of the watch page: this server and the embedding sites. */
export function embedFrameAncestors(publicUrl: string, embedOrigins: string[] | '*'): string {
  if (embedOrigins === '*') return '*';
  return [`'self'`, selfOrigin(publicUrl), ...embedOrigins].filter(Boolean).join(' ');
}

/** The CSP `frame-ancestors` of the other pages: this server only. */
export function ownFrameAncestors(publicUrl: string): string {
  return [`'self'`, selfOrigin(publicUrl)].filter(Boolean).join(' ');
}

function selfOrigin(publicUrl: string): string {
  try {
    return new URL(publicUrl).origin;
  } catch {
    return '';
  }
}

/**
 * The headers of the embeddable player's files at the root of the build
 * (/embed.js, /embed.d.ts; its hash-named chunks under /embed/ are cached
 * for good like assets/): a module script from another origin is fetched with
 * CORS, so only the sites of EMBED_ALLOWED_ORIGINS get an
 * Access-Control-Allow-Origin and may run it (null: no such header, whatever
 * CORS_ORIGINS said). A fixed name is revalidated every time (ETag), so a
 * deploy reaches every shop at once. Null for any other file.
 */
export function embedFileHeaders(
  file: string,
  origin: string | undefined,
  embedOrigins: string[] | '*',
): Record<string, string | null> | null {
  if (file !== 'embed.js' && file !== 'embed.d.ts') return null;
  return {
    'Access-Control-Allow-Origin':
      embedOrigins === '*' ? '*' : mayEmbed(origin, embedOrigins) ? origin! : null,
    'Access-Control-Allow-Credentials': null,
    Vary: 'Origin',
    'Cache-Control': 'no-cache',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    // By its extension a .ts file would be sent as an MPEG transport stream.
    ...(file === 'embed.d.ts' ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}),
  };
}

/** Whether `origin` (a request's Origin header) may embed the player. */
export function mayEmbed(origin: string | undefined, embedOrigins: string[] | '*'): boolean {
  if (!origin) return false;
  return embedOrigins === '*' || embedOrigins.includes(origin);
}
