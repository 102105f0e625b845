import * as path from 'node:path';
import type { AppConfig } from '../config/config';
import { EmbeddedPostgres } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  embedded?: EmbeddedPostgres;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR/pg. */
export async function resolveDatabase(
  config: AppConfig,
  log: (m: string) => void,
): Promise<ResolvedDatabase> {
  if (config.database.url) return { url: config.database.url };
  const embedded = await EmbeddedPostgres.start({
    dataDir: path.join(config.dataDir, 'pg'),
    passwordFile: path.join(config.dataDir, 'pg-password'),
    port: config.database.embeddedPort,
    log,
  });
  return { url: embedded.url, embedded };
}
