import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/test-app';
import { createShop } from '../support/shop';

/**
 * The journal trigger on order_items runs inside every reservation, while the
 * sale's rows are locked. Its plan is kept per connection from the first
 * batch, made when `orders` was nearly empty; what one batch reads must not
 * grow with the orders sold since (src/database/functions/report_journal_created.ts).
 * Counted with the transaction's own index statistics, not timed.
 */
describe('report journal trigger', () => {
  let t: TestApp;
  let db: Client;

  beforeAll(async () => {
    t = await startTestApp();
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  /** Order rows, one statement for the batch, as a reservation inserts them. */
  async function insertOrderRows(ids: string[], merchantId: string): Promise<void> {
    await db.query(
      `INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key,
         request_hash, expires_at)
       SELECT id, gen_random_uuid(), $2, 'pending_payment', 'USD', 100, id::text, 'h', now() + interval '10 minutes'
       FROM unnest($1::uuid[]) AS id`,
      [ids, merchantId],
    );
  }

  /** Their items, one statement: this fires the journal trigger. */
  async function insertItemRows(ids: string[], productId: string): Promise<void> {
    await db.query(
      `INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents)
       SELECT id, $2, 'Aurora X', 1, 100 FROM unnest($1::uuid[]) AS id`,
      [ids, productId],
    );
  }

  async function insertOrders(shop: { productId: string; merchantId: string }, n: number): Promise<void> {
    const ids = Array.from({ length: n }, () => randomUUID());
    await insertOrderRows(ids, shop.merchantId);
    await insertItemRows(ids, shop.productId);
  }

  /** Orders' rows fetched through indexes by this transaction so far. */
  async function fetched(): Promise<number> {
    const { rows } = await db.query<{ n: string }>(
      `SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) AS n
       FROM pg_stat_xact_user_tables WHERE relname = 'orders'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  it('reads each new order once, however many orders exist', async () => {
    const shop = await createShop(t, { stock: 100 });
    const target = { productId: shop.productId, merchantId: shop.merchant.id };
    // The first batch on this connection: the trigger's plan is made now, on a near-empty table.
    await insertOrders(target, 2);
    // The sale goes on: 3,000 orders later (the statistics are not refreshed meanwhile).
    await insertOrders(target, 3000);

    await db.query('BEGIN');
    try {
      const batch = [randomUUID(), randomUUID(), randomUUID()];
      await insertOrderRows(batch, target.merchantId);
      const before = await fetched();
      await insertItemRows(batch, target.productId);
      // One index probe per order for the journal (order_items has no foreign keys); the bound
      // leaves as much again to spare, far below the 3,000 orders a plan over the table reads.
      expect((await fetched()) - before).toBeLessThanOrEqual(batch.length * 2);
      const { rows: journal } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM report_journal WHERE order_id = ANY($1::uuid[]) AND op = 'created'`,
        [batch],
      );
      expect(Number(journal[0].n)).toBe(batch.length);
    } finally {
      await db.query('ROLLBACK');
    }
  });
});
