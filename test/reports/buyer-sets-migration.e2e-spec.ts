import { DataSource, type MigrationInterface } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { ReportBuyerSets1763801100000 } from '../../src/database/migrations/1763801100000-ReportBuyerSets';
import { createTestDatabase } from '../support/test-app';

/**
 * ReportBuyerSets moves the distinct-buyer reference counts of an installed
 * database from `report_buyers` (one row per rollup key and buyer) to buyer
 * sets. Every counted buyer must come across, and `down` must give the old
 * table back with the same counts.
 */
describe('ReportBuyerSets migration', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  const migration = new ReportBuyerSets1763801100000();
  const merchant = '11111111-1111-4111-8111-111111111111';
  const NIL = '00000000-0000-0000-0000-000000000000';

  beforeAll(async () => {
    db = await createTestDatabase();
    const options = dataSourceOptions(db.url);
    const all = options.migrations as (new () => MigrationInterface)[];
    // The schema as it was before this migration.
    ds = new DataSource({ ...options, migrations: all.filter((m) => m !== ReportBuyerSets1763801100000) });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const countsOld = () =>
    ds.query(
      `SELECT grain, stream_key, bucket, count(*) FILTER (WHERE n > 0)::int AS buyers, sum(n)::int AS n
       FROM report_buyers GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );

  it('keeps every counted buyer going up and coming back down', async () => {
    // 4 grains × 2 stream keys × 3 minutes, 40 buyers each; every fourth count is 0 (a buyer who left).
    await ds.query(
      `INSERT INTO report_buyers (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, n)
       SELECT $1, g, s, $2, 'USD', '2026-12-01T10:00:00Z'::timestamptz + (i % 3) * interval '1 minute',
              gen_random_uuid(), i % 4
       FROM generate_series(0, 3) g, unnest(ARRAY[$2, $3]::uuid[]) s, generate_series(1, 40) i`,
      [merchant, NIL, '22222222-2222-4222-8222-222222222222'],
    );
    const before = await countsOld();
    expect(before).toHaveLength(24);

    const qr = ds.createQueryRunner();
    try {
      await migration.up(qr);
      const after = await ds.query(
        `SELECT s.grain, s.stream_key, s.bucket, count(*) FILTER (WHERE b.n > 0)::int AS buyers, sum(b.n)::int AS n
         FROM report_set_buyers b JOIN report_buyer_sets s ON s.id = b.set_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      );
      expect(after).toEqual(before);
      expect(await ds.query(`SELECT to_regclass('report_buyers') AS t`)).toEqual([{ t: null }]);
      // The fold keeps planning index probes only.
      const [{ proconfig }] = await ds.query(`SELECT proconfig FROM pg_proc WHERE proname = 'reports_apply'`);
      expect(proconfig).toEqual(['enable_seqscan=off']);

      await migration.down(qr);
      // Zero counts were not carried over (a zero is no buyer), the rest is as it was.
      expect(await countsOld()).toEqual(before);
      expect(await ds.query(`SELECT to_regclass('report_buyer_sets') AS t`)).toEqual([{ t: null }]);
    } finally {
      await qr.release();
    }
  });
});
