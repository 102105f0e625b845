import { MigrationInterface, QueryRunner } from 'typeorm';
import { REPORTS_APPLY_FUNCTION } from './1763800300000-Reports';

/**
 * The fold counts distinct buyers without joining its own upsert back.
 *
 * `reports_apply` upserts a reference count per (bucket, buyer) and needs, for
 * each row it touched, the count before and after, to know whether the
 * bucket gained or lost a buyer. The Reports version got "before" by joining
 * the upsert's RETURNING rows back to its input on all seven key columns; a
 * flash sale's fold touches ~15 such rows per order, and that join was about
 * a quarter of the fold's time. Now the upsert also stores the change it
 * applied (`last_dn`) and returns it, so before = n - last_dn with no join.
 * `last_dn` means nothing outside the statement that wrote it.
 */
const OLD_BUYERS = `      bu AS (
        INSERT INTO report_buyers AS r (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, n)
        SELECT * FROM b ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id)
        DO UPDATE SET n = r.n + EXCLUDED.n
        RETURNING r.merchant_id, r.grain, r.stream_key, r.product_key, r.currency, r.bucket, r.buyer_id, r.n
      ),
      bd AS (
        SELECT bu.merchant_id, bu.grain, bu.stream_key, bu.product_key, bu.currency, bu.bucket,
               sum((bu.n > 0)::int - ((bu.n - b.dn) > 0)::int)::int AS dbuyers
        FROM bu JOIN b USING (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id)
        GROUP BY 1, 2, 3, 4, 5, 6
      ),`;

export const NEW_BUYERS = `      bu AS (
        INSERT INTO report_buyers AS r
          (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, n, last_dn)
        SELECT b.*, b.dn FROM b ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id)
        DO UPDATE SET n = r.n + EXCLUDED.n, last_dn = EXCLUDED.n
        RETURNING r.merchant_id, r.grain, r.stream_key, r.product_key, r.currency, r.bucket, r.n, r.last_dn
      ),
      bd AS (
        SELECT bu.merchant_id, bu.grain, bu.stream_key, bu.product_key, bu.currency, bu.bucket,
               sum((bu.n > 0)::int - ((bu.n - bu.last_dn) > 0)::int)::int AS dbuyers
        FROM bu GROUP BY 1, 2, 3, 4, 5, 6
      ),`;

/** reports_apply with the buyer delta (CREATE OR REPLACE). */
export function withBuyerDelta(sql: string): string {
  if (!sql.includes(OLD_BUYERS)) throw new Error('reports_apply: buyer upsert not found');
  return sql.replace(OLD_BUYERS, NEW_BUYERS).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
}

export class ReportsBuyerDelta1763800500000 implements MigrationInterface {
  name = 'ReportsBuyerDelta1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_buyers ADD COLUMN last_dn integer NOT NULL DEFAULT 0`);
    await q.query(withBuyerDelta(REPORTS_APPLY_FUNCTION));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(REPORTS_APPLY_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    await q.query(`ALTER TABLE report_buyers DROP COLUMN last_dn`);
  }
}
