import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { dataSourceOptions, runMigrations } from './data-source';

/**
 * `npm run migration:run`: applies pending migrations to DATABASE_URL and
 * exits (the app also runs them at boot, under the same advisory lock, so
 * this is for operators who migrate before rolling out replicas).
 */
async function main(): Promise<void> {
  const url = loadConfig().database.url;
  if (!url) throw new Error('DATABASE_URL is required (postgres://user:password@host:port/database)');
  const ds = new DataSource(dataSourceOptions(url, 2));
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`migration failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
