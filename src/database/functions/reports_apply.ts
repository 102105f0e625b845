import type { SqlFunction } from './sql-function';

/**
 * reports_apply: adds (sign +1) or removes (sign -1) the contribution of
 * orders in the given statuses to the sales rollups. Orders' merchant,
 * currency, buyer, stream, pin, time and items never change after creation,
 * so applying later (when reports_fold drains the journal) is exact.
 *
 * Refunds: a row of status `partial_refund` (with its `order_refunds` id in
 * p_refunds) adds that amount to the refunded total of the order's shop and
 * stream rollups, in the order's buckets, and nothing else (no GMV, order,
 * unit or buyer; no product, as it is not tied to a line). An order that is
 * refunded in full (status `refunded`) counts as refunded what its partial
 * refunds had not already: its total minus them (per product, its lines in
 * full). Partial refunds only ever precede the move to `refunded` (it ends
 * an order's refunds), so that difference is exact whenever it is folded.
 *
 * Rollup keys: (merchant, currency, grain, bucket, stream, product), with the
 * nil uuid meaning "all streams" / "all products". Grains: 1 = UTC minute
 * (equal to the local minute in every time zone), 2 = local hour, 3 = local
 * day (the merchant's time zone, in `merchant_settings`), 0 = the stream's
 * whole life, 4 = the stream's pinned product, attributed (only the line of
 * the product that was pinned when the order was placed). Reads only ever
 * touch `report_rollups`.
 *
 * Distinct buyers cannot be summed across buckets, so each key keeps a
 * reference count per buyer (0→1 adds a buyer, 1→0 removes one). Each rollup
 * key is a buyer set, a row of `report_buyer_sets` with a bigint id, found or
 * made once per fold, and the counts live in `report_set_buyers` keyed by
 * (set id, buyer): small index entries instead of the whole seven-column key
 * in every count row. Exact: ids, not hashes. Within the one statement the
 * sets are looked up or inserted before the counts that need their ids; new
 * sets come from the INSERT's RETURNING, the others from the index (the
 * statement's snapshot does not see its own inserts, so no set is listed
 * twice), and the folder's advisory lock keeps anyone else from inserting
 * sets meanwhile. The upsert stores the change it applied (`last_dn`, which
 * means nothing outside the statement that wrote it) and returns it, so the
 * count before is n - last_dn without joining the upsert back to its input.
 *
 * The folded orders and their items are looked up by key through LATERAL
 * subqueries the planner cannot flatten (`LIMIT 1` on a unique key, `OFFSET
 * 0` otherwise), and sequential scans are ruled out: the function's plans are
 * kept per connection, and during a flash sale `orders` grows faster than it
 * is analyzed; a fold must cost what it folds, not what the table holds.
 */
export const REPORTS_APPLY: SqlFunction = {
  name: 'reports_apply',
  sql: `
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
      $$`,
};
