import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../src/database/data-source';
import { TEST_DATABASE_URL } from '../support/env';

/** TypeORM prints every failed migration; for the failures a test expects. */
const QUIET: Logger = {
  logQuery: () => undefined,
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};

/** Migrates a database the way the app does at boot; returns the migrations applied. */
export async function migrateFresh(url: string, opts: { quiet?: boolean } = {}): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(url, 2), ...(opts.quiet ? { logger: QUIET } : {}) });
  await ds.initialize();
  try {
    return await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}

export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A copy of a database of the test server (nobody may be connected to it meanwhile). */
export async function copyDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const from = new URL(url).pathname.slice(1);
  const name = `lc_test_${randomBytes(6).toString('hex')}`;
  await withClient(TEST_DATABASE_URL, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${from}`));
  const copy = new URL(TEST_DATABASE_URL);
  copy.pathname = `/${name}`;
  return {
    url: copy.toString(),
    drop: async () => {
      await withClient(TEST_DATABASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
