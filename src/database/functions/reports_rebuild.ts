import type { SqlFunction } from './sql-function';

/**
 * reports_rebuild: recomputes one merchant's rollups and buyer sets from its
 * orders and their partial refunds (after a time-zone change moves its hour and day buckets; also how
 * the benchmark seeds). Must run in a REPEATABLE READ transaction while
 * holding the folder's advisory lock as a session lock, so that the journal
 * rows it drops are exactly the changes its snapshot counts.
 */
export const REPORTS_REBUILD: SqlFunction = {
  name: 'reports_rebuild',
  sql: `
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
      END $$`,
};
