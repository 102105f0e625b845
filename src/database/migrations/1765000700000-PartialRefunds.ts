import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds of part of an order: `orders.refunded_cents` and one row per
 * refund in `order_refunds` (`partial`: money only, the order keeps its
 * status; `full`: the refund that moved a paid order to `refunded` and gave
 * its units back). Partial refunds reach the reports through the journal (a
 * row per refund, with its id: report_journal_refunded), so net GMV is net of
 * every refund; reports_apply, reports_fold and reports_rebuild learn them
 * (full new texts below, frozen; the current ones are in
 * src/database/functions/). An order refunded in full still counts its whole
 * total as refunded, as before.
 */
export class PartialRefunds1765000700000 implements MigrationInterface {
  name = 'PartialRefunds1765000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0`);
    await q.query(`UPDATE orders SET refunded_cents = total_cents WHERE status = 'refunded'`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_refunded_cents_check
      CHECK (refunded_cents >= 0 AND refunded_cents <= total_cents)`);
    await q.query(`CREATE TABLE order_refunds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id uuid NOT NULL REFERENCES orders(id),
      amount_cents bigint NOT NULL CHECK (amount_cents > 0),
      kind text NOT NULL CHECK (kind IN ('partial', 'full')),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX order_refunds_order_idx ON order_refunds (order_id, created_at)`);
    await q.query(`ALTER TABLE report_journal ADD COLUMN refund_id uuid`);
    await q.query(`ALTER TABLE report_journal DROP CONSTRAINT report_journal_op_check,
      ADD CONSTRAINT report_journal_op_check CHECK (op IN ('created', 'moved', 'refund'))`);

    // New argument and result columns: replaced, not redefined in place.
    await q.query(`DROP FUNCTION reports_fold(int)`);
    await q.query(`DROP FUNCTION reports_apply(uuid[], text[], int[])`);
    await q.query(`
CREATE OR REPLACE FUNCTION reports_apply(p_ids uuid[], p_status text[], p_sign int[], p_refunds uuid[])
RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
      WITH d AS (
        SELECT o.id, o.merchant_id, o.currency, o.buyer_id, o.stream_id, o.pin_id, o.total_cents,
               o.created_at, x.sign,
               x.status IN ('paid', 'fulfilled', 'refunded') AS paid,
               x.status = 'refunded' AS refunded,
               x.status = 'partial_refund' AS partial,
               CASE WHEN x.status = 'partial_refund' THEN rf.amount_cents
                    WHEN x.status = 'refunded' THEN o.total_cents - coalesce(pr.cents, 0)
                    ELSE 0 END AS refund_cents,
               coalesce(ms.time_zone, 'UTC') AS tz
        FROM unnest(p_ids, p_status, p_sign, p_refunds) AS x(id, status, sign, refund_id)
        CROSS JOIN LATERAL (SELECT * FROM orders o1 WHERE o1.id = x.id LIMIT 1) AS o
        LEFT JOIN LATERAL (SELECT r1.amount_cents FROM order_refunds r1 WHERE r1.id = x.refund_id LIMIT 1) AS rf
          ON true
        LEFT JOIN LATERAL (SELECT sum(r2.amount_cents) AS cents FROM order_refunds r2
          WHERE r2.order_id = x.id AND r2.kind = 'partial' AND x.status = 'refunded') AS pr ON true
        LEFT JOIN merchant_settings ms ON ms.merchant_id = o.merchant_id
        WHERE x.status <> 'expired'
      ),
      lines AS (
        SELECT d.*, '00000000-0000-0000-0000-000000000000'::uuid AS product_key,
               CASE WHEN d.partial THEN 0 ELSE d.total_cents END AS amount, d.refund_cents AS refund_amount,
               CASE WHEN d.partial THEN 0
                    ELSE (SELECT coalesce(sum(i.quantity), 0) FROM order_items i WHERE i.order_id = d.id)
               END::bigint AS qty,
               false AS pinned
        FROM d
        UNION ALL
        SELECT d.*, i.product_id, i.quantity::bigint * i.unit_price_cents,
               CASE WHEN d.refunded THEN i.quantity::bigint * i.unit_price_cents ELSE 0 END,
               i.quantity::bigint, coalesce(p.product_id = i.product_id, false)
        FROM d CROSS JOIN LATERAL (SELECT * FROM order_items i1 WHERE i1.order_id = d.id OFFSET 0) AS i
        LEFT JOIN pins p ON p.id = d.pin_id
        WHERE NOT d.partial
      ),
      k AS (
        SELECT l.merchant_id, g.grain::smallint AS grain, s.stream_key, l.product_key, l.currency,
               g.bucket, l.buyer_id, l.sign, l.amount, l.refund_amount, l.qty, l.paid, l.partial
        FROM lines l
        CROSS JOIN LATERAL (VALUES
          (1, date_trunc('minute', l.created_at)),
          (2, date_trunc('hour', l.created_at AT TIME ZONE l.tz) AT TIME ZONE l.tz),
          (3, date_trunc('day', l.created_at AT TIME ZONE l.tz) AT TIME ZONE l.tz),
          (0, 'epoch'::timestamptz)
        ) AS g(grain, bucket)
        CROSS JOIN LATERAL (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), (l.stream_id)) AS s(stream_key)
        WHERE s.stream_key IS NOT NULL
          AND NOT (g.grain = 0 AND s.stream_key = '00000000-0000-0000-0000-000000000000')
        UNION ALL
        SELECT l.merchant_id, 4::smallint, l.stream_id, l.product_key, l.currency, 'epoch'::timestamptz,
               l.buyer_id, l.sign, l.amount, l.refund_amount, l.qty, l.paid, l.partial
        FROM lines l WHERE l.pinned AND l.stream_id IS NOT NULL
      ),
      b AS (
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, sum(sign)::int AS dn
        FROM k WHERE NOT partial GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(sign) <> 0
      ),
      a AS (
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket,
               sum(sign * amount) AS gmv,
               coalesce(sum(sign * amount) FILTER (WHERE paid), 0) AS paid,
               coalesce(sum(sign * refund_amount), 0) AS refunded,
               coalesce(sum(sign) FILTER (WHERE NOT partial), 0)::int AS orders,
               sum(sign * qty) AS units
        FROM k GROUP BY 1, 2, 3, 4, 5, 6
      ),
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
      INSERT INTO report_rollups AS r (merchant_id, grain, stream_key, product_key, currency, bucket,
        gmv_cents, paid_cents, refunded_cents, orders, units, buyers)
      SELECT a.merchant_id, a.grain, a.stream_key, a.product_key, a.currency, a.bucket,
             a.gmv, a.paid, a.refunded, a.orders, a.units, coalesce(bd.dbuyers, 0)
      FROM a LEFT JOIN bd USING (merchant_id, grain, stream_key, product_key, currency, bucket)
      ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket) DO UPDATE SET
        gmv_cents = r.gmv_cents + EXCLUDED.gmv_cents,
        paid_cents = r.paid_cents + EXCLUDED.paid_cents,
        refunded_cents = r.refunded_cents + EXCLUDED.refunded_cents,
        orders = r.orders + EXCLUDED.orders,
        units = r.units + EXCLUDED.units,
        buyers = r.buyers + EXCLUDED.buyers
      $$`);
    await q.query(`
CREATE OR REPLACE FUNCTION reports_fold(p_limit int)
RETURNS TABLE (order_id uuid, status text, sign int, op text, refund_id uuid)
LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_ids uuid[]; v_status text[]; v_sign int[]; v_op text[]; v_refunds uuid[];
      BEGIN
        PERFORM pg_advisory_xact_lock(7638003);
        -- The aggregates of a large batch fit in memory instead of spilling.
        PERFORM set_config('work_mem', '64MB', true);
        WITH j AS (
          DELETE FROM report_journal
          WHERE seq IN (SELECT seq FROM report_journal ORDER BY seq LIMIT p_limit)
          RETURNING report_journal.seq, report_journal.order_id, report_journal.status,
                    report_journal.sign, report_journal.op, report_journal.refund_id
        )
        SELECT array_agg(j.order_id ORDER BY j.seq), array_agg(j.status ORDER BY j.seq),
               array_agg(j.sign::int ORDER BY j.seq), array_agg(j.op ORDER BY j.seq),
               array_agg(j.refund_id ORDER BY j.seq)
        INTO v_ids, v_status, v_sign, v_op, v_refunds FROM j;
        IF v_ids IS NULL THEN RETURN; END IF;
        PERFORM reports_apply(v_ids, v_status, v_sign, v_refunds);
        RETURN QUERY SELECT * FROM unnest(v_ids, v_status, v_sign, v_op, v_refunds);
      END $$`);
    await q.query(`
CREATE OR REPLACE FUNCTION reports_rebuild(p_merchant uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_ids uuid[]; v_status text[]; v_sign int[]; v_refunds uuid[];
      BEGIN
        PERFORM set_config('work_mem', '64MB', true);
        DELETE FROM report_journal WHERE merchant_id = p_merchant;
        DELETE FROM report_rollups WHERE merchant_id = p_merchant;
        DELETE FROM report_set_buyers WHERE set_id IN
          (SELECT id FROM report_buyer_sets WHERE merchant_id = p_merchant);
        DELETE FROM report_buyer_sets WHERE merchant_id = p_merchant;
        SELECT array_agg(x.id), array_agg(x.status), array_agg(1), array_agg(x.refund_id)
        INTO v_ids, v_status, v_sign, v_refunds
        FROM (SELECT o.id, o.status, NULL::uuid AS refund_id FROM orders o WHERE o.merchant_id = p_merchant
              UNION ALL
              SELECT r.order_id, 'partial_refund', r.id FROM order_refunds r JOIN orders o ON o.id = r.order_id
              WHERE o.merchant_id = p_merchant AND r.kind = 'partial') AS x;
        IF v_ids IS NOT NULL THEN PERFORM reports_apply(v_ids, v_status, v_sign, v_refunds); END IF;
      END $$`);
    await q.query(`
CREATE OR REPLACE FUNCTION report_journal_refunded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_journal (order_id, merchant_id, status, sign, op, refund_id)
  SELECT r.order_id, o.merchant_id, 'partial_refund', 1, 'refund', r.id
  FROM new_refunds r JOIN orders o ON o.id = r.order_id
  WHERE r.kind = 'partial';
  RETURN NULL;
END $$`);
    await q.query(`
CREATE OR REPLACE TRIGGER order_refunds_report_journal AFTER INSERT ON order_refunds
REFERENCING NEW TABLE AS new_refunds FOR EACH STATEMENT EXECUTE FUNCTION report_journal_refunded()`);
  }

  async down(): Promise<void> {
    throw new Error('PartialRefunds1765000700000 cannot be reverted: restore a backup instead');
  }
}
