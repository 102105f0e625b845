import { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLY_V3 } from './1763800700000-IndexProbes';
import { REPORT_BUYERS_TABLE, REPORTS_REBUILD_FUNCTION } from './1763800300000-Reports';
import { NEW_BUYERS } from './1763800500000-ReportsBuyerDelta';

/**
 * Distinct buyers counted per buyer set, not per seven-column key.
 *
 * The fold keeps a reference count per (rollup key, buyer) to know when a
 * bucket gains or loses a buyer. `report_buyers` repeated the whole rollup key
 * (merchant, grain, stream, product, currency, bucket) in every row and in its
 * primary key: ~90-byte index entries, 15 of them per order. In a flash sale's
 * fold that upsert was half of the fold's time (auto_explain of a 5,000-row
 * fold on this machine: ~1.0 of 2.0 s for 75,000 rows, plus ~0.3 s sorting
 * them). Now each rollup key is a row of `report_buyer_sets` with a bigint id,
 * found or made once per fold (a fold touches a handful of keys), and the
 * counts live in `report_set_buyers` keyed by (set id, buyer): 24-byte keys
 * (a scratch table with such keys took the same 75,000 upserts in about half
 * the time). Exact as before: ids, not hashes.
 *
 * Within the fold's one statement the sets are looked up or inserted before
 * the counts that need their ids. New sets come from the INSERT's RETURNING,
 * the others from the index (the statement's snapshot does not see its own
 * inserts, so no set is listed twice). The folder holds its advisory lock, as
 * the rebuild does, so no one else inserts sets meanwhile.
 */
/** The rollup sums per key: unchanged, and the CTE the buyer sets follow. */
const A_CTE = `      a AS (
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket,
               sum(sign * amount) AS gmv,
               coalesce(sum(sign * amount) FILTER (WHERE paid), 0) AS paid,
               coalesce(sum(sign * amount) FILTER (WHERE refunded), 0) AS refunded,
               sum(sign)::int AS orders,
               sum(sign * qty) AS units
        FROM k GROUP BY 1, 2, 3, 4, 5, 6
      )`;

/** The fold's tail as ReportsBuyerDelta and IndexProbes left it. */
const OLD_TAIL = `${NEW_BUYERS}
${A_CTE}
`;

const NEW_TAIL = `${A_CTE},
      new_sets AS (
        INSERT INTO report_buyer_sets (merchant_id, grain, stream_key, product_key, currency, bucket)
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket FROM a ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket) DO NOTHING
        RETURNING id, merchant_id, grain, stream_key, product_key, currency, bucket
      ),
      sets AS (
        SELECT * FROM new_sets
        UNION ALL
        SELECT s.id, a.merchant_id, a.grain, a.stream_key, a.product_key, a.currency, a.bucket
        FROM a CROSS JOIN LATERAL (SELECT s1.id FROM report_buyer_sets s1
          WHERE s1.merchant_id = a.merchant_id AND s1.grain = a.grain AND s1.stream_key = a.stream_key
            AND s1.product_key = a.product_key AND s1.currency = a.currency AND s1.bucket = a.bucket
          LIMIT 1) AS s
      ),
      bu AS (
        INSERT INTO report_set_buyers AS r (set_id, buyer_id, n, last_dn)
        SELECT s.id, b.buyer_id, b.dn, b.dn
        FROM b JOIN sets s USING (merchant_id, grain, stream_key, product_key, currency, bucket)
        ORDER BY 1, 2
        ON CONFLICT (set_id, buyer_id) DO UPDATE SET n = r.n + EXCLUDED.n, last_dn = EXCLUDED.n
        RETURNING r.set_id, r.n, r.last_dn
      ),
      bd AS (
        SELECT s.merchant_id, s.grain, s.stream_key, s.product_key, s.currency, s.bucket, d.dbuyers
        FROM (SELECT set_id, sum((n > 0)::int - ((n - last_dn) > 0)::int)::int AS dbuyers
              FROM bu GROUP BY set_id) AS d
        JOIN sets s ON s.id = d.set_id
      )
`;

export const APPLY_V4 = (() => {
  if (!APPLY_V3.includes(OLD_TAIL)) throw new Error('reports_apply: buyer upsert not found');
  return APPLY_V3.replace(OLD_TAIL, NEW_TAIL);
})();

const APPLY = 'reports_apply(uuid[], text[], int[])';

const CLEAR_BUYERS_OLD = `        DELETE FROM report_buyers WHERE merchant_id = p_merchant;`;
const CLEAR_BUYERS_NEW = `        DELETE FROM report_set_buyers WHERE set_id IN
          (SELECT id FROM report_buyer_sets WHERE merchant_id = p_merchant);
        DELETE FROM report_buyer_sets WHERE merchant_id = p_merchant;`;

/** reports_rebuild as the Reports migration made it (CREATE OR REPLACE), clearing the buyers with `clear`. */
function rebuild(clear: string): string {
  if (!REPORTS_REBUILD_FUNCTION.includes(CLEAR_BUYERS_OLD))
    throw new Error('reports_rebuild: buyer delete not found');
  return REPORTS_REBUILD_FUNCTION.replace(CLEAR_BUYERS_OLD, clear).replace(
    'CREATE FUNCTION',
    'CREATE OR REPLACE FUNCTION',
  );
}

export class ReportBuyerSets1763801100000 implements MigrationInterface {
  name = 'ReportBuyerSets1763801100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_buyer_sets (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        merchant_id uuid NOT NULL,
        grain smallint NOT NULL,
        stream_key uuid NOT NULL,
        product_key uuid NOT NULL,
        currency char(3) NOT NULL,
        bucket timestamptz NOT NULL,
        UNIQUE (merchant_id, grain, stream_key, product_key, currency, bucket)
      )`);
    await q.query(`
      CREATE TABLE report_set_buyers (
        set_id bigint NOT NULL,
        buyer_id uuid NOT NULL,
        n integer NOT NULL,
        last_dn integer NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, buyer_id)
      )`);
    await q.query(`
      INSERT INTO report_buyer_sets (merchant_id, grain, stream_key, product_key, currency, bucket)
      SELECT DISTINCT merchant_id, grain, stream_key, product_key, currency, bucket FROM report_buyers`);
    await q.query(`
      INSERT INTO report_set_buyers (set_id, buyer_id, n)
      SELECT s.id, b.buyer_id, b.n FROM report_buyers b
      JOIN report_buyer_sets s USING (merchant_id, grain, stream_key, product_key, currency, bucket)
      WHERE b.n <> 0`);
    await q.query(APPLY_V4);
    // CREATE OR REPLACE drops the function's settings: keep its plans index probes.
    await q.query(`ALTER FUNCTION ${APPLY} SET enable_seqscan = off`);
    await q.query(rebuild(CLEAR_BUYERS_NEW));
    await q.query(`DROP TABLE report_buyers`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(REPORT_BUYERS_TABLE);
    await q.query(`ALTER TABLE report_buyers ADD COLUMN last_dn integer NOT NULL DEFAULT 0`);
    await q.query(`
      INSERT INTO report_buyers (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, n)
      SELECT s.merchant_id, s.grain, s.stream_key, s.product_key, s.currency, s.bucket, b.buyer_id, b.n
      FROM report_set_buyers b JOIN report_buyer_sets s ON s.id = b.set_id`);
    await q.query(APPLY_V3);
    await q.query(`ALTER FUNCTION ${APPLY} SET enable_seqscan = off`);
    await q.query(rebuild(CLEAR_BUYERS_OLD));
    await q.query(`DROP TABLE report_set_buyers`);
    await q.query(`DROP TABLE report_buyer_sets`);
  }
}
