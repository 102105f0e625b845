import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * livecart 0.1.x's embedded cluster trusted every local connection (no
 * password, `trust` in pg_hba.conf). The current EmbeddedPostgres makes a
 * cluster that needs a generated password; this turns one back into what
 * 0.1.x left behind, for tests of the upgrade.
 */
export function asLivecart01(pgDir: string): void {
  fs.writeFileSync(
    path.join(fs.realpathSync(pgDir), 'pg_hba.conf'),
    'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n',
  );
  fs.rmSync(`${pgDir}-password`, { force: true });
}

/** The embedded cluster's URL with the password the app keeps in DATA_DIR/pg-password. */
export function embeddedUrl(pgDir: string, port: number): string {
  const password = fs.readFileSync(`${pgDir}-password`, 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
