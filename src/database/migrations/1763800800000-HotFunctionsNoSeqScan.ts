import { MigrationInterface, QueryRunner } from 'typeorm';

const RESERVE = 'lc_reserve_orders(uuid[], uuid[], text[], text[], uuid[], int[], uuid[], int[], int)';
const APPLY = 'reports_apply(uuid[], text[], int[])';

/**
 * `enable_seqscan = off` for the reservation and the fold.
 *
 * PL/pgSQL and SQL functions keep the plans of their statements per
 * connection. In a flash sale that starts on a young `orders` table, those
 * plans are made while the table is a few pages, when a sequential scan is
 * the cheapest way to find a key; they are kept until an ANALYZE invalidates
 * them (autovacuum looks once a minute), while the table grows by thousands
 * of rows a second. The index-probe rewrite (IndexProbes migration) then ran
 * as a sequential scan per key: EXPLAIN of a live batch showed `Seq Scan on
 * orders … loops=48, Rows Removed by Filter: 663` inside the LATERAL lookups.
 * Every table these functions read by key has an index for that key, so
 * ruling sequential scans out costs nothing when the statistics are right and
 * keeps the cost of a batch independent of the table when they are not.
 */
export class HotFunctionsNoSeqScan1763800800000 implements MigrationInterface {
  name = 'HotFunctionsNoSeqScan1763800800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${RESERVE} SET enable_seqscan = off`);
    await q.query(`ALTER FUNCTION ${APPLY} SET enable_seqscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${RESERVE} RESET enable_seqscan`);
    await q.query(`ALTER FUNCTION ${APPLY} RESET enable_seqscan`);
  }
}
