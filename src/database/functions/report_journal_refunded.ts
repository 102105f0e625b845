import type { SqlFunction } from './sql-function';

/**
 * report_journal_refunded and its trigger on `order_refunds`: journals every
 * partial refund (money back without the order moving to `refunded`) as one
 * row carrying the refund's id, so reports_fold adds its amount to the
 * refunded totals (see reports_apply). A refund in full is journaled by the
 * order's move to `refunded` instead (report_journal_moved).
 *
 * Statement-level with a transition table, like the other journal triggers;
 * refunds are rare, one row per statement.
 */
export const REPORT_JOURNAL_REFUNDED: SqlFunction = {
  name: 'report_journal_refunded',
  sql: `
CREATE OR REPLACE FUNCTION report_journal_refunded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_journal (order_id, merchant_id, status, sign, op, refund_id)
  SELECT r.order_id, o.merchant_id, 'partial_refund', 1, 'refund', r.id
  FROM new_refunds r JOIN orders o ON o.id = r.order_id
  WHERE r.kind = 'partial';
  RETURN NULL;
END $$`,
  trigger: {
    name: 'order_refunds_report_journal',
    sql: `
CREATE OR REPLACE TRIGGER order_refunds_report_journal AFTER INSERT ON order_refunds
REFERENCING NEW TABLE AS new_refunds FOR EACH STATEMENT EXECUTE FUNCTION report_journal_refunded()`,
  },
};
