import type { SqlFunction } from './sql-function';

/**
 * report_journal_created and its trigger on `order_items`: journals every new
 * order once, when its items are inserted (one statement, the reservation's
 * write: the moment the order is complete enough to count).
 *
 * Why a journal and not triggers that update the rollups directly: every
 * order change runs in the order code's transaction, which locks pins and
 * products. A trigger that upserted per-merchant rollup rows there would add a
 * hot row shared by every stream of a merchant, held until commit: flash sales
 * would serialize on it, and reservation/release pairs could deadlock on
 * (product, rollup). So the journal triggers only APPEND (one row per order
 * change, no shared row, no lock beyond the insert), transactionally with the
 * order: the journal row exists if and only if the change committed.
 * reports_fold drains the journal into the rollups.
 *
 * Statement-level with a transition table, so a reservation batch is one
 * INSERT … SELECT. Each new order is looked up by key through a LATERAL
 * subquery, with sequential scans ruled out: PL/pgSQL keeps this plan per
 * connection from the first reservation of a sale, when `orders` is nearly
 * empty, and a plan that joins the batch to the whole table would make every
 * later batch read every order sold so far, inside the statement that holds
 * the sale's rows locked (test/reports/journal-probe.e2e-spec.ts counts what
 * it reads).
 */
export const REPORT_JOURNAL_CREATED: SqlFunction = {
  name: 'report_journal_created',
  sql: `
CREATE OR REPLACE FUNCTION report_journal_created() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
  INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
  SELECT o.id, o.merchant_id, o.status, 1, 'created'
  FROM (SELECT DISTINCT order_id FROM new_items) AS n
  CROSS JOIN LATERAL (SELECT o1.id, o1.merchant_id, o1.status FROM orders o1
    WHERE o1.id = n.order_id LIMIT 1) AS o;
  RETURN NULL;
END $$`,
  trigger: {
    name: 'order_items_report_journal',
    sql: `
CREATE OR REPLACE TRIGGER order_items_report_journal AFTER INSERT ON order_items
REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION report_journal_created()`,
  },
};
