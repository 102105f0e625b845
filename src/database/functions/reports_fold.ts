import type { SqlFunction } from './sql-function';

/**
 * reports_fold: drains up to p_limit journal rows, oldest first, into the
 * rollups (reports_apply) and returns them, for the live GMV ticker and the
 * order webhooks (a partial refund's row carries its refund id). One folder at a time (a transaction-scoped advisory lock).
 *
 * The report endpoints fold before they read, so a report always equals the
 * sums over `orders` at that moment; a background folder (every
 * REPORTS_FOLD_MS) keeps the journal short. A larger `work_mem` for this
 * transaction keeps a large batch's aggregates in memory instead of spilling.
 */
export const REPORTS_FOLD: SqlFunction = {
  name: 'reports_fold',
  sql: `
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
      END $$`,
};
