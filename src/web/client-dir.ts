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
 */
export function contentSecurityPolicy(publicUrl: string): string {
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
  ].join('; ');
}
