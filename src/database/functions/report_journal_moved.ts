import type { SqlFunction } from './sql-function';

/**
 * report_journal_moved and its trigger on `orders`: journals every change of
 * an order's status as two rows, -1 for the status it left and +1 for the one
 * it entered, so that reports_fold can move the order's contribution between
 * statuses (why a journal at all: see report_journal_created).
 *
 * Statement-level with transition tables, so an expiry sweep or a batch of
 * payments is one INSERT … SELECT; updates that leave the status alone
 * journal nothing.
 */
export const REPORT_JOURNAL_MOVED: SqlFunction = {
  name: 'report_journal_moved',
  sql: `
CREATE OR REPLACE FUNCTION report_journal_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
        SELECT n.id, n.merchant_id, x.status, x.sign, 'moved'
        FROM old_orders o JOIN new_orders n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.status, -1), (n.status, 1)) AS x(status, sign)
        WHERE o.status IS DISTINCT FROM n.status;
        RETURN NULL;
      END $$`,
  trigger: {
    name: 'orders_report_journal',
    sql: `
CREATE OR REPLACE TRIGGER orders_report_journal AFTER UPDATE ON orders
REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
FOR EACH STATEMENT EXECUTE FUNCTION report_journal_moved()`,
  },
};
