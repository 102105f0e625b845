import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The browser tests load the built front end (dist/client/). `npm test`
 * builds it first; a targeted jest run gets the same check here, so a page
 * edited a minute ago is the page under test (scripts/lib.sh's client_build_ensure).
 */
export function ensureClientBuild(): void {
  const root = path.resolve(__dirname, '../..');
  execFileSync('bash', ['-c', 'source scripts/lib.sh && client_build_ensure'], {
    cwd: root,
    stdio: 'inherit',
  });
}
