import type { SqlFunction } from './sql-function';

/**
 * lc_reserve_read: the first of the reservation's two statements. Reads, without
 * locks, what a batch needs to be decided: the streams, their current pins,
 * the products, the stored idempotency keys and each buyer's units under each
 * limited pin, with the row version (`xmin`) of every pin and product.
 *
 * The app then decides every request (src/orders/allocation.ts, the one
 * place the rules are made) and lc_reserve_write writes the decision only if
 * those versions are unchanged. The reservation engine's locked path calls it
 * too, after taking the row locks, in the same transaction. Deciding in the
 * app keeps the database, which every replica shares, to set-based reads and
 * writes.
 *
 * Lookups by key are LATERAL index probes and sequential scans are ruled
 * out: the plans are kept per connection and must stay index probes while
 * `orders` grows faster than it is analyzed.
 */
export const LC_RESERVE_READ: SqlFunction = {
  name: 'lc_reserve_read',
  sql: `
CREATE OR REPLACE FUNCTION lc_reserve_read(
  p_streams uuid[], p_products uuid[], p_buyers uuid[], p_keys text[], p_req_streams uuid[])
RETURNS json LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  r json;
BEGIN
  SELECT json_build_object(
    'nowMs', extract(epoch FROM now()) * 1000,
    'streams', (SELECT coalesce(json_agg(json_build_object('id', s.id, 'merchantId', s.merchant_id,
        'status', s.status, 'startedAtMs', extract(epoch FROM s.started_at) * 1000)), '[]')
      FROM streams s WHERE s.id = ANY(p_streams)),
    'pins', (SELECT coalesce(json_agg(json_build_object('id', pn.id, 'streamId', pn.stream_id,
        'productId', pn.product_id, 'salePriceCents', pn.sale_price_cents, 'saleRemaining', pn.sale_remaining,
        'endsAtMs', extract(epoch FROM pn.ends_at) * 1000, 'perBuyerLimit', pn.per_buyer_limit,
        'version', pn.xmin::text)), '[]')
      FROM pins pn WHERE pn.stream_id = ANY(p_streams) AND pn.unpinned_at IS NULL),
    'products', (SELECT coalesce(json_agg(json_build_object('id', pr.id, 'merchantId', pr.merchant_id,
        'title', pr.title, 'priceCents', pr.price_cents, 'currency', pr.currency, 'stock', pr.stock,
        'version', pr.xmin::text)), '[]')
      FROM products pr WHERE pr.id = ANY(p_products)),
    'existing', (SELECT coalesce(json_agg(json_build_object('id', o.id, 'buyerId', kk.b,
        'idempotencyKey', kk.k, 'requestHash', o.request_hash)), '[]')
      FROM unnest(p_buyers, p_keys) AS kk(b, k)
      CROSS JOIN LATERAL (SELECT o1.id, o1.request_hash FROM orders o1
        WHERE o1.buyer_id = kk.b AND o1.idempotency_key = kk.k LIMIT 1) AS o),
    'usage', (SELECT coalesce(json_agg(json_build_object('pinId', q.pin_id, 'buyerId', q.buyer_id,
        'units', u.units)), '[]')
      FROM (SELECT DISTINCT pn.id AS pin_id, x.b AS buyer_id
            FROM unnest(p_buyers, p_req_streams) AS x(b, s)
            JOIN pins pn ON pn.stream_id = x.s AND pn.unpinned_at IS NULL
              AND pn.per_buyer_limit IS NOT NULL) AS q
      CROSS JOIN LATERAL (SELECT sum(o.pin_units)::int AS units FROM orders o
        WHERE o.pin_id = q.pin_id AND o.buyer_id = q.buyer_id
          AND o.status IN ('pending_payment', 'paid', 'fulfilled')) AS u
      WHERE u.units IS NOT NULL)
  ) INTO r;
  RETURN r;
END
$fn$`,
};
