import { MigrationInterface, QueryRunner } from 'typeorm';
import { RESERVE_FUNCTION } from './1763800100000-Commerce';

/**
 * The per-buyer limit lookup of `lc_reserve_orders`, by index.
 *
 * The Commerce version asked for "orders of these pins by any of these
 * buyers" as one filter (`pin_id IN (…) AND buyer_id = ANY(…)`). Planned
 * generically inside PL/pgSQL, on a table whose statistics lag a flash sale,
 * PostgreSQL chose a sequential scan of `orders`: every batch read every
 * order so far (measured: 21 ms per batch at 51,200 orders, growing with the
 * sale). Here each (pin, buyer) pair of the batch is one probe of
 * `orders_pin_buyer_idx`, whatever the statistics say: LATERAL forces the
 * nested loop, and equality on both index columns makes it an index lookup.
 *
 * Only the pairs the batch asks about are looked up (each request's buyer
 * with its stream's current pin, when that pin has a limit): the function
 * reads the usage by exactly that key, so the answer is unchanged.
 */
const OLD_USAGE = `SELECT coalesce(jsonb_object_agg(u.pin_id || '|' || u.buyer_id, u.units), '{}') INTO v_usage FROM (
    SELECT o.pin_id, o.buyer_id, sum(o.pin_units)::int AS units FROM orders o
    WHERE o.pin_id IN (SELECT (e.value->>'id')::uuid FROM jsonb_each(v_pins) AS e
                       WHERE e.value->>'per_buyer_limit' IS NOT NULL)
      AND o.buyer_id = ANY(p_buyers) AND o.status IN ('pending_payment', 'paid', 'fulfilled')
    GROUP BY o.pin_id, o.buyer_id) AS u;`;

const NEW_USAGE = `SELECT coalesce(jsonb_object_agg(q.pin_id || '|' || q.buyer_id, s.units), '{}') INTO v_usage
  FROM (
    SELECT DISTINCT (v_pins -> (x.s::text) ->> 'id')::uuid AS pin_id, x.b AS buyer_id
    FROM unnest(p_buyers, p_streams) AS x(b, s)
    WHERE x.s IS NOT NULL AND v_pins -> (x.s::text) ->> 'per_buyer_limit' IS NOT NULL) AS q
  CROSS JOIN LATERAL (
    SELECT sum(o.pin_units)::int AS units FROM orders o
    WHERE o.pin_id = q.pin_id AND o.buyer_id = q.buyer_id
      AND o.status IN ('pending_payment', 'paid', 'fulfilled')) AS s
  WHERE s.units IS NOT NULL;`;

function withIndexedUsage(fn: string): string {
  if (!fn.includes(OLD_USAGE)) throw new Error('lc_reserve_orders: usage statement not found');
  return fn.replace(OLD_USAGE, NEW_USAGE);
}

export const RESERVE_FUNCTION_V2 = withIndexedUsage(RESERVE_FUNCTION);

export class ReserveUsageLookup1763800400000 implements MigrationInterface {
  name = 'ReserveUsageLookup1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(RESERVE_FUNCTION_V2);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(RESERVE_FUNCTION);
  }
}
