import { keptOf, keptState } from './kept';
import { MIGRATIONS } from '../../src/database/data-source';
import { Client } from 'pg';
import { createTestDatabase, startTestApp } from '../support/test-app';
import { schemaSnapshot } from './catalog';
import { copyDatabase, migrateFresh, withClient } from './databases';
import { CHAIN_0_1 } from '../../src/database/migrations/1765000000000-Baseline';
import { dataState, OLD, restore01, seedOld01 } from './old-database';

/** The migrations of this version, in order: what an upgraded or a fresh database gets. */
const CURRENT = MIGRATIONS.map((m) => m.name);

/**
 * A database made by livecart 0.1.x (its twelve migrations, squashed since
 * into Baseline1765000000000) is upgraded in place by the current app at
 * boot: the baseline finds the 0.1.x chain complete and only gets recorded.
 * Nothing is lost or re-created, and the schema ends up exactly a fresh
 * database's. A database where 0.1.x stopped half-way is refused.
 */
describe('Baseline over a livecart 0.1.x database', () => {
  const dbs: { drop: () => Promise<void> }[] = [];
  async function database(): Promise<string> {
    const db = await createTestDatabase();
    dbs.push(db);
    return db.url;
  }
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it('keeps every row, table and sequence, records the baseline, and ends up as a fresh database', async () => {
    const url = await database();
    await restore01(url);
    await seedOld01(url);
    const before = await dataState(url);
    // The seed reaches every table of the 0.1.x schema, so every table is checked.
    expect(Object.entries(before.rows).filter(([, rows]) => rows.length === 0)).toEqual([]);
    expect(before.rows.report_journal).toHaveLength(2);
    expect(before.migrations.map((m) => m.name)).toEqual(CHAIN_0_1);

    // A dry run on a copy first: an app whose migrations fail at boot is left
    // half-built, holding connections that would keep jest from exiting.
    const copy = await copyDatabase(url);
    dbs.push(copy);
    expect(await migrateFresh(copy.url)).toEqual(CURRENT);

    // The current app, booting on it (its migrations run at boot). The folder
    // would drain the journal left by 0.1.x: not before this test has looked.
    const t = await startTestApp({ databaseUrl: url, env: { REPORTS_FOLD_MS: '60000' } });
    try {
      const after = await dataState(url);
      expect(keptOf(after, before)).toEqual(keptState(before));
      expect(after.migrations.slice(0, -CURRENT.length)).toEqual(before.migrations);
      expect(after.migrations.map((m) => m.name).slice(-CURRENT.length)).toEqual(CURRENT);

      // The app serves the old rows.
      const product = await t.http.get(`/api/products/${OLD.lamp}`).expect(200);
      expect(product.body).toMatchObject({
        title: 'Aurora lamp',
        stock: 7,
        priceCents: 4900,
        currency: 'EUR',
      });

      const fresh = await database();
      expect(await migrateFresh(fresh)).toEqual(CURRENT);
      const [upgraded, created] = await Promise.all([
        withClient(url, schemaSnapshot),
        withClient(fresh, schemaSnapshot),
      ]);
      expect(upgraded).toEqual(created);
      expect(created.relations.length).toBeGreaterThan(40);

      // The functions work on what 0.1.x left: the cancellation it journaled
      // folds, and the rollups then equal a rebuild from the orders.
      await withClient(url, async (c) => {
        const { rows: folded } = await c.query(
          `SELECT order_id, status, sign, op FROM reports_fold(1000) ORDER BY sign`,
        );
        expect(folded).toEqual([
          { order_id: OLD.cancelled, status: 'pending_payment', sign: -1, op: 'moved' },
          { order_id: OLD.cancelled, status: 'cancelled', sign: 1, op: 'moved' },
        ]);
        const rollups = () =>
          c.query(`SELECT to_jsonb(r)::text AS r FROM report_rollups r WHERE orders <> 0 ORDER BY 1`);
        const incremental = (await rollups()).rows;
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        try {
          await c.query('SELECT reports_rebuild($1)', [OLD.merchant]);
          expect((await rollups()).rows).toEqual(incremental);
        } finally {
          await c.query('ROLLBACK');
        }
        expect(incremental.length).toBeGreaterThan(10);
      });
    } finally {
      await t.close();
    }
  });

  it('refuses a database where 0.1.x did not apply all its migrations, and changes nothing', async () => {
    const url = await database();
    await restore01(url);
    await withClient(url, (c) =>
      c.query(`DELETE FROM migrations WHERE name = ANY($1)`, [CHAIN_0_1.slice(10)]),
    );
    const before = await withClient(url, schemaSnapshot);
    const recorded = await dataState(url);

    await expect(migrateFresh(url, { quiet: true })).rejects.toThrow(
      /created by an older livecart.*missing: JournalIndexProbe1763801000000, ReportBuyerSets1763801100000.*Upgrade it through livecart 0\.1\.x first/,
    );
    expect(await withClient(url, schemaSnapshot)).toEqual(before);
    expect((await dataState(url)).migrations).toEqual(recorded.migrations);
  });

  it('tells schemas apart: the comparison notices what a migration could get wrong', async () => {
    const url = await database();
    await restore01(url);
    const pg = new Client({ connectionString: url });
    await pg.connect();
    try {
      const base = await schemaSnapshot(pg);
      const changes = [
        `ALTER TABLE orders ALTER COLUMN pin_units SET DEFAULT 1`,
        `ALTER TABLE orders ADD CONSTRAINT orders_pin_id_fkey FOREIGN KEY (pin_id) REFERENCES pins(id)`,
        `DROP INDEX orders_pin_buyer_idx`,
        `ALTER TABLE pins RENAME CONSTRAINT pins_check1 TO pins_sale_pair_check`,
        `ALTER FUNCTION reports_apply(uuid[], text[], int[]) RESET enable_seqscan`,
        `ALTER TABLE report_set_buyers ALTER COLUMN last_dn DROP NOT NULL`,
        `CREATE TABLE report_buyers (id int)`,
        `COMMENT ON TABLE orders IS 'orders'`,
        `ALTER TABLE chat_messages ALTER COLUMN seq SET CACHE 10`,
      ];
      for (const change of changes) {
        await pg.query('BEGIN');
        try {
          await pg.query(change);
          expect({ change, same: JSON.stringify(await schemaSnapshot(pg)) === JSON.stringify(base) }).toEqual(
            {
              change,
              same: false,
            },
          );
        } finally {
          await pg.query('ROLLBACK');
        }
      }
      expect(await schemaSnapshot(pg)).toEqual(base);
    } finally {
      await pg.end();
    }
  });
});
