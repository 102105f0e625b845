import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A secret of `bytes` random bytes (base64url) generated once and kept in `dataDir/fileName`
 * (mode 0600), so it survives restarts: for the secrets config may leave unset outside
 * production. When another process of the same data folder writes it first, that one is used.
 */
export function storedSecret(dataDir: string, fileName: string, bytes: number): string {
  const file = path.join(dataDir, fileName);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(bytes).toString('base64url');
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim();
    }
  }
}
