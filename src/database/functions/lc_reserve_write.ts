import type { SqlFunction } from './sql-function';

/**
 * lc_reserve_write: the second of the reservation's two statements. Locks the
 * batch's pins and products (pins, then products, by id: the lock order of
 * every commerce transaction) only if their versions are still the ones
 * lc_reserve_read returned, and then, in the same statement, inserts the
 * decided orders and their items and takes their units. If any row changed
 * meanwhile it writes nothing and says so (`current: false`); the app reads
 * again and decides again. The orders come as JSON rows of the app's
 * NewOrder shape (src/orders/allocation.ts), each with its items.
 *
 * Zero oversell holds: every unit taken was decided from rows nobody changed
 * before the write locked them (every order and every release of a product
 * updates the product row, so its version covers stock and per-buyer usage
 * alike; every pin change updates the pin), and CHECK (stock >= 0) / CHECK
 * (sale_remaining >= 0) make any mistake a failed statement rather than a
 * negative count. A key stored meanwhile by another transaction or replica
 * makes its order skip (ON CONFLICT DO NOTHING).
 *
 * Sequential scans are ruled out, as in the other functions on the hot path:
 * the plans are kept per connection and must stay index probes while
 * `orders` grows faster than it is analyzed.
 */
export const LC_RESERVE_WRITE: SqlFunction = {
  name: 'lc_reserve_write',
  sql: `
CREATE OR REPLACE FUNCTION lc_reserve_write(
  p_versions json, p_orders json, p_decided_ms float8, p_hold_seconds int)
RETURNS json LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  r json;
BEGIN
  WITH pins_current AS (
    SELECT pn.id FROM pins pn
      JOIN json_to_recordset(p_versions -> 'pins') AS v(id uuid, version text) ON pn.id = v.id
    WHERE pn.xmin = v.version::xid ORDER BY pn.id FOR NO KEY UPDATE OF pn),
  products_current AS (
    SELECT pr.id FROM products pr
      JOIN json_to_recordset(p_versions -> 'products') AS v(id uuid, version text) ON pr.id = v.id
    WHERE pr.xmin = v.version::xid ORDER BY pr.id FOR NO KEY UPDATE OF pr),
  -- Pins first: AND evaluates left to right, so the lock order holds.
  current AS (
    SELECT (SELECT count(*) FROM pins_current) = json_array_length(p_versions -> 'pins')
       AND (SELECT count(*) FROM products_current) = json_array_length(p_versions -> 'products') AS ok),
  -- The orders as the app decided them (NewOrder in src/orders/allocation.ts).
  decided AS (
    SELECT * FROM json_to_recordset(p_orders) AS o(
      "id" uuid, "buyerId" uuid, "merchantId" uuid, "currency" text, "totalCents" bigint,
      "idempotencyKey" text, "requestHash" text, "streamId" uuid, "pinId" uuid,
      "streamOffsetMs" bigint, "pinUnits" int, "saleUnits" int, "items" json)),
  -- A key stored meanwhile by another transaction or replica makes its row skip.
  ins AS (
    INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key,
      request_hash, stream_id, pin_id, stream_offset_ms, pin_units, sale_units, created_at, expires_at)
    SELECT o.id, o."buyerId", o."merchantId", 'pending_payment', o.currency, o."totalCents",
      o."idempotencyKey", o."requestHash", o."streamId", o."pinId", o."streamOffsetMs", o."pinUnits",
      o."saleUnits", to_timestamp(p_decided_ms / 1000),
      to_timestamp(p_decided_ms / 1000) + make_interval(secs => p_hold_seconds)
    FROM decided o
    WHERE (SELECT ok FROM current)
    ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
    RETURNING id, pin_id, sale_units),
  items AS (
    INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents, sale)
    SELECT o.id, i."productId", i.title, i.quantity, i."unitPriceCents", i.sale
    FROM decided o
      CROSS JOIN LATERAL json_to_recordset(o.items)
        AS i("productId" uuid, "title" text, "quantity" int, "unitPriceCents" int, "sale" boolean)
    WHERE o.id IN (SELECT id FROM ins)
    RETURNING product_id, quantity),
  -- Units of the orders that went in. No guard in the WHERE: the amounts were
  -- decided from the locked versions, and the CHECK constraints fail the whole
  -- statement should that ever be wrong.
  took AS (
    UPDATE products pr SET stock = pr.stock - d.q, updated_at = now()
    FROM (SELECT product_id, sum(quantity)::int AS q FROM items GROUP BY product_id) AS d
    WHERE pr.id = d.product_id RETURNING pr.id),
  sale_took AS (
    UPDATE pins pn SET sale_remaining = pn.sale_remaining - d.q
    FROM (SELECT pin_id, sum(sale_units)::int AS q FROM ins WHERE sale_units > 0 GROUP BY pin_id) AS d
    WHERE pn.id = d.pin_id AND pn.sale_remaining IS NOT NULL RETURNING pn.id)
  SELECT json_build_object(
    'current', (SELECT ok FROM current),
    'inserted', (SELECT coalesce(json_agg(id), '[]') FROM ins),
    'products', (SELECT count(*) FROM took),
    'pins', (SELECT count(*) FROM sale_took),
    'createdAt', to_timestamp(p_decided_ms / 1000),
    'expiresAt', to_timestamp(p_decided_ms / 1000) + make_interval(secs => p_hold_seconds)) INTO r;
  RETURN r;
END
$fn$`,
};
