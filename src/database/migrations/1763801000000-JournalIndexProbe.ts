import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The report journal's insert trigger finds the new orders by index probes.
 *
 * report_journal_created (Reports migration) looked the batch's orders up
 * with `orders.id IN (SELECT DISTINCT order_id FROM new_items)`. PL/pgSQL
 * keeps that plan per connection from the first reservation of the sale,
 * when `orders` is nearly empty: a hash join over a full scan of orders_pkey
 * (enable_seqscan is off inside lc_reserve_write). Every later batch then
 * read every order: auto_explain during `npm run bench:orders` showed
 * `Index Scan using orders_pkey on orders … rows=3383 loops=1` to find 49,
 * and pg_stat_user_functions put the trigger at 3.0 of the write's 5.1 ms
 * per batch, inside the statement that holds the sale's rows locked, growing
 * with every order sold. As in the IndexProbes migration, each order is now
 * a LATERAL lookup by key the planner cannot turn into a join over the
 * table, so a batch costs what it inserts, not what the table holds.
 */
export const JOURNAL_CREATED_FUNCTION = `
CREATE OR REPLACE FUNCTION report_journal_created() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
  INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
  SELECT o.id, o.merchant_id, o.status, 1, 'created'
  FROM (SELECT DISTINCT order_id FROM new_items) AS n
  CROSS JOIN LATERAL (SELECT o1.id, o1.merchant_id, o1.status FROM orders o1
    WHERE o1.id = n.order_id LIMIT 1) AS o;
  RETURN NULL;
END $$`;

const JOURNAL_CREATED_BEFORE = `
CREATE OR REPLACE FUNCTION report_journal_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
  SELECT o.id, o.merchant_id, o.status, 1, 'created'
  FROM orders o WHERE o.id IN (SELECT DISTINCT order_id FROM new_items);
  RETURN NULL;
END $$`;

export class JournalIndexProbe1763801000000 implements MigrationInterface {
  name = 'JournalIndexProbe1763801000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(JOURNAL_CREATED_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    // CREATE OR REPLACE sets every property anew, so the SET clause goes too.
    await q.query(JOURNAL_CREATED_BEFORE);
  }
}
