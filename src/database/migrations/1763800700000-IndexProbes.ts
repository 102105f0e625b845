import { MigrationInterface, QueryRunner } from 'typeorm';
import { RESERVE_FUNCTION_V2 } from './1763800400000-ReserveUsageLookup';
import { REPORTS_APPLY_FUNCTION } from './1763800300000-Reports';
import { withBuyerDelta } from './1763800500000-ReportsBuyerDelta';

/**
 * Lookups by key as index probes, whatever the table statistics say.
 *
 * During a flash sale `orders` and `order_items` grow faster than autovacuum
 * re-analyzes them, and statements planned from the stale statistics (a
 * table that looked empty) joined the batch's keys to the whole table: a
 * sequential scan and a hash of every order, on every reservation batch and
 * every fold. A CPU profile of PostgreSQL during `npm run bench:orders` had
 * 70 % of its time in scans and hash builds. Here each lookup is a LATERAL
 * subquery the planner cannot flatten (`LIMIT 1` on a unique key, `OFFSET 0`
 * otherwise), so it stays a nested loop of index probes: the cost of a batch
 * depends on the batch, not on how many orders exist.
 *
 *  - lc_reserve_orders: stored idempotency keys, by (buyer_id, idempotency_key).
 *  - reports_apply: the folded orders by id, and their items by order id.
 */
const RESERVE_STORED_OLD = `  SELECT coalesce(jsonb_object_agg(o.buyer_id || '|' || o.idempotency_key,
      jsonb_build_object('id', o.id, 'h', o.request_hash)), '{}')
    INTO v_stored FROM orders o JOIN unnest(p_buyers, p_keys) AS kk(b, k)
      ON o.buyer_id = kk.b AND o.idempotency_key = kk.k;`;
const RESERVE_STORED_NEW = `  SELECT coalesce(jsonb_object_agg(kk.b || '|' || kk.k,
      jsonb_build_object('id', s.id, 'h', s.request_hash)), '{}')
    INTO v_stored FROM unnest(p_buyers, p_keys) AS kk(b, k)
    CROSS JOIN LATERAL (SELECT o.id, o.request_hash FROM orders o
      WHERE o.buyer_id = kk.b AND o.idempotency_key = kk.k LIMIT 1) AS s;`;

const APPLY_ORDERS_OLD = `        FROM unnest(p_ids, p_status, p_sign) AS x(id, status, sign)
        JOIN orders o ON o.id = x.id
        LEFT JOIN merchant_settings ms ON ms.merchant_id = o.merchant_id`;
const APPLY_ORDERS_NEW = `        FROM unnest(p_ids, p_status, p_sign) AS x(id, status, sign)
        CROSS JOIN LATERAL (SELECT * FROM orders o1 WHERE o1.id = x.id LIMIT 1) AS o
        LEFT JOIN merchant_settings ms ON ms.merchant_id = o.merchant_id`;
const APPLY_ITEMS_OLD = `        FROM d JOIN order_items i ON i.order_id = d.id LEFT JOIN pins p ON p.id = d.pin_id`;
const APPLY_ITEMS_NEW = `        FROM d CROSS JOIN LATERAL (SELECT * FROM order_items i1 WHERE i1.order_id = d.id OFFSET 0) AS i
        LEFT JOIN pins p ON p.id = d.pin_id`;

function replace(sql: string, pairs: [string, string][], what: string): string {
  for (const [from, to] of pairs) {
    if (!sql.includes(from)) throw new Error(`${what}: statement to replace not found`);
    sql = sql.replace(from, to);
  }
  return sql;
}

export const RESERVE_FUNCTION_V3 = replace(
  RESERVE_FUNCTION_V2,
  [[RESERVE_STORED_OLD, RESERVE_STORED_NEW]],
  'lc_reserve_orders',
);

export const APPLY_V3 = replace(
  withBuyerDelta(REPORTS_APPLY_FUNCTION),
  [
    [APPLY_ORDERS_OLD, APPLY_ORDERS_NEW],
    [APPLY_ITEMS_OLD, APPLY_ITEMS_NEW],
  ],
  'reports_apply',
);

export class IndexProbes1763800700000 implements MigrationInterface {
  name = 'IndexProbes1763800700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(RESERVE_FUNCTION_V3);
    await q.query(APPLY_V3);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(RESERVE_FUNCTION_V2);
    await q.query(withBuyerDelta(REPORTS_APPLY_FUNCTION));
  }
}
