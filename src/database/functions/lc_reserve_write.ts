import type { SqlFunction } from './sql-function';

/**
 * lc_reserve_write: the second of the reservation's two statements. Locks the
 * batch's pins and products (pins, then products, by id: the lock order of
 * every commerce transaction) only if their versions are still the ones
 * lc_reserve_read returned, and then, in the same statement, inserts the
 * decided orders and their items and takes their units. If any row changed
 * meanwhile it writes nothing and says so (`current: false`); the app reads
 * again and decides again.
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
  p_pin_ids uuid[], p_pin_versions text[], p_product_ids uuid[], p_product_versions text[],
  o_id uuid[], o_b uuid[], o_m uuid[], o_c text[], o_t bigint[], o_k text[], o_h text[], o_s uuid[],
  o_p uuid[], o_off bigint[], o_pu int[], o_su int[],
  i_o uuid[], i_p uuid[], i_t text[], i_q int[], i_u int[], i_s boolean[],
  p_decided_ms float8, p_hold_seconds int)
RETURNS json LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  r json;
BEGIN
  WITH pins_current AS (
    SELECT pn.id FROM pins pn JOIN unnest(p_pin_ids, p_pin_versions) AS v(id, version) ON pn.id = v.id
    WHERE pn.xmin = v.version::xid ORDER BY pn.id FOR NO KEY UPDATE OF pn),
  products_current AS (
    SELECT pr.id FROM products pr JOIN unnest(p_product_ids, p_product_versions) AS v(id, version)
      ON pr.id = v.id
    WHERE pr.xmin = v.version::xid ORDER BY pr.id FOR NO KEY UPDATE OF pr),
  -- Pins first: AND evaluates left to right, so the lock order holds.
  current AS (
    SELECT (SELECT count(*) FROM pins_current) = coalesce(cardinality(p_pin_ids), 0)
       AND (SELECT count(*) FROM products_current) = coalesce(cardinality(p_product_ids), 0) AS ok),
  -- A key stored meanwhile by another transaction or replica makes its row skip.
  ins AS (
    INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key,
      request_hash, stream_id, pin_id, stream_offset_ms, pin_units, sale_units, created_at, expires_at)
    SELECT u.id, u.b, u.m, 'pending_payment', u.c, u.t, u.k, u.h, u.s, u.p, u.off, u.pu, u.su,
      to_timestamp(p_decided_ms / 1000),
      to_timestamp(p_decided_ms / 1000) + make_interval(secs => p_hold_seconds)
    FROM unnest(o_id, o_b, o_m, o_c, o_t, o_k, o_h, o_s, o_p, o_off, o_pu, o_su)
      AS u(id, b, m, c, t, k, h, s, p, off, pu, su)
    WHERE (SELECT ok FROM current)
    ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
    RETURNING id, pin_id, sale_units),
  items AS (
    INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents, sale)
    SELECT x.o, x.p, x.t, x.q, x.u, x.s FROM unnest(i_o, i_p, i_t, i_q, i_u, i_s) AS x(o, p, t, q, u, s)
    WHERE x.o IN (SELECT id FROM ins)
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
