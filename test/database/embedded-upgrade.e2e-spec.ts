import { keptOf, keptState } from './kept';
import { MIGRATIONS } from '../../src/database/data-source';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { startEmbeddedApp, stopProcess, waitHealthy } from '../support/processes';
import { freePort } from '../support/test-app';
import { schemaSnapshot } from './catalog';
import { migrateFresh, withClient } from './databases';
import { asLivecart01, embeddedUrl } from './embedded-0.1';
import { CHAIN_0_1 } from '../../src/database/migrations/1765000000000-Baseline';
import { dataState, OLD, restore01, seedOld01 } from './old-database';

/** The migrations of this version, in order: what an upgraded or a fresh database gets. */
const CURRENT = MIGRATIONS.map((m) => m.name);

/**
 * The embedded default (no DATABASE_URL): a DATA_DIR whose `pg` folder holds
 * the cluster livecart 0.1.x made and used is adopted by the current app as
 * it is (same cluster, same database, same tables) and its database is
 * migrated in place, with every row kept.
 */

/** Which cluster (initdb) and which database: both change if either is made anew. */
const identity = (url: string) =>
  withClient(url, async (c) => {
    const { rows } = await c.query<{ cluster: string; database: number }>(
      `SELECT (SELECT system_identifier::text FROM pg_control_system()) AS cluster,
              (SELECT oid::int FROM pg_database WHERE datname = current_database()) AS database`,
    );
    return rows[0];
  });

describe('embedded default over a livecart 0.1.x data folder', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-embedded-0.1-'));
  // Reachable by the `postgres` user that runs the cluster when tests run as
  // root, so the cluster stays in this folder (not in /var/lib/livecart).
  fs.chmodSync(dataDir, 0o755);
  const pgDir = path.join(dataDir, 'pg');
  let pgPort = 0;

  afterAll(async () => {
    if (pgPort) await (await EmbeddedPostgres.start({ dataDir: pgDir, port: pgPort })).stop();
    if (fs.existsSync(pgDir)) fs.rmSync(fs.realpathSync(pgDir), { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adopts the cluster and migrates its database in place, keeping every row', async () => {
    pgPort = await freePort();
    // The folder as 0.1.x leaves it: EmbeddedPostgres lays the cluster out as
    // 0.1.x did, but for its password (asLivecart01 puts 0.1.x's trust back);
    // 0.1.x then migrated database `postgres` (the fixture holds that schema)
    // and wrote data there (the seed). Stopped, as 0.1.x stops it on SIGTERM.
    const old = await EmbeddedPostgres.start({ dataDir: pgDir, port: pgPort });
    await restore01(old.url);
    await seedOld01(old.url);
    const before = { identity: await identity(old.url), data: await dataState(old.url) };
    expect(before.data.migrations.map((m) => m.name)).toEqual(CHAIN_0_1);
    expect(before.data.rows.report_journal).toHaveLength(2);
    expect(fs.realpathSync(pgDir)).toBe(path.join(fs.realpathSync(dataDir), 'pg'));
    await old.stop();
    asLivecart01(pgDir);

    const app = startEmbeddedApp({
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: String(await freePort()),
      // The folder would drain the journal 0.1.x left: not before this test has looked.
      REPORTS_FOLD_MS: '60000',
    });
    const base = app.base;
    try {
      await waitHealthy(app);
      expect(app.output()).toContain('starting embedded PostgreSQL');
      expect(app.output()).not.toContain('initialising embedded PostgreSQL');
      // 0.1.x's trust is gone: the app set a generated password and requires it.
      expect(app.output()).toContain('it now requires a generated password');
      await expect(
        withClient(`postgres://postgres@127.0.0.1:${pgPort}/postgres`, (c) => c.query('SELECT 1')),
      ).rejects.toThrow(/password/);
      const url = embeddedUrl(pgDir, pgPort);
      expect(await identity(url)).toEqual(before.identity);

      const after = await dataState(url);
      expect(keptOf(after, before.data)).toEqual(keptState(before.data));
      expect(after.migrations.slice(0, -CURRENT.length)).toEqual(before.data.migrations);
      expect(after.migrations.map((m) => m.name).slice(-CURRENT.length)).toEqual(CURRENT);

      const product = await request(base).get(`/api/products/${OLD.lamp}`).expect(200);
      expect(product.body).toMatchObject({
        title: 'Aurora lamp',
        stock: 7,
        priceCents: 4900,
        currency: 'EUR',
      });

      // The schema of a database the current migrations build on the same server.
      await withClient(url, (c) => c.query('CREATE DATABASE lc_fresh'));
      const fresh = new URL(url);
      fresh.pathname = '/lc_fresh';
      expect(await migrateFresh(fresh.toString())).toEqual(CURRENT);
      expect(await withClient(url, schemaSnapshot)).toEqual(
        await withClient(fresh.toString(), schemaSnapshot),
      );
    } finally {
      await stopProcess(app);
    }
    // A clean exit, and the embedded database stopped with it.
    expect(app.child.exitCode).toBe(0);
    expect(fs.existsSync(path.join(pgDir, 'postmaster.pid'))).toBe(false);
  }, 240_000);
});
