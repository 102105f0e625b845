import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sales reports and merchant webhooks.
 *
 * Rollups: why a journal folded into rollup tables, and not triggers that
 * update the rollups directly. Every order change already runs in the order
 * code's transaction, which locks pins and products in one order for
 * reservations and the opposite order for releases (orders first). A trigger
 * that upserted per-merchant rollup rows inside those transactions would add
 * a hot row shared by every stream of a merchant, held until commit: flash
 * sales would serialize on it and reservation/release pairs could deadlock on
 * (product, rollup). So the triggers here only APPEND to `report_journal`
 * (one row per order change, with the status it left or entered; no shared
 * row, no lock beyond the insert), which is transactional with the order:
 * the journal row exists if and only if the change committed. A folder
 * (`reports_fold`, one at a time under an advisory lock) drains the journal
 * set-based into the rollups; the report endpoints fold before reading, so a
 * report always equals the sums over `orders` at that moment, and a
 * background folder (every REPORTS_FOLD_MS) keeps the journal short and
 * drives the live GMV ticker and the order webhooks from the same rows.
 *
 * Rollup keys: (merchant, currency, grain, bucket, stream, product), with the
 * nil uuid meaning "all streams" / "all products". Grains: 1 = UTC minute
 * (equal to the local minute in every time zone), 2 = local hour, 3 = local
 * day (the merchant's time zone, in `merchant_settings`), 0 = the stream's
 * whole life, 4 = the stream's pinned product, attributed (only the line of
 * the product that was pinned when the order was placed). Distinct buyers
 * cannot be summed across buckets, so each grain has its own exact count,
 * kept with a per-bucket reference count in `report_buyers` (0→1 adds a
 * buyer, 1→0 removes one); reads only ever touch `report_rollups`.
 */
/**
 * Adds (sign +1) or removes (sign -1) the contribution of orders in the given
 * statuses to the rollups (see `up`). Exported for later migrations that
 * replace it.
 */
export const REPORTS_APPLY_FUNCTION = `
      CREATE FUNCTION reports_apply(p_ids uuid[], p_status text[], p_sign int[]) RETURNS void
      LANGUAGE sql AS $$
      WITH d AS (
        SELECT o.id, o.merchant_id, o.currency, o.buyer_id, o.stream_id, o.pin_id, o.total_cents,
               o.created_at, x.sign,
               x.status IN ('paid', 'fulfilled', 'refunded') AS paid,
               x.status = 'refunded' AS refunded,
               coalesce(ms.time_zone, 'UTC') AS tz
        FROM unnest(p_ids, p_status, p_sign) AS x(id, status, sign)
        JOIN orders o ON o.id = x.id
        LEFT JOIN merchant_settings ms ON ms.merchant_id = o.merchant_id
        WHERE x.status <> 'expired'
      ),
      lines AS (
        SELECT d.*, '00000000-0000-0000-0000-000000000000'::uuid AS product_key, d.total_cents AS amount,
               (SELECT coalesce(sum(i.quantity), 0) FROM order_items i WHERE i.order_id = d.id)::bigint AS qty,
               false AS pinned
        FROM d
        UNION ALL
        SELECT d.*, i.product_id, i.quantity::bigint * i.unit_price_cents, i.quantity::bigint,
               coalesce(p.product_id = i.product_id, false)
        FROM d JOIN order_items i ON i.order_id = d.id LEFT JOIN pins p ON p.id = d.pin_id
      ),
      k AS (
        SELECT l.merchant_id, g.grain::smallint AS grain, s.stream_key, l.product_key, l.currency,
               g.bucket, l.buyer_id, l.sign, l.amount, l.qty, l.paid, l.refunded
        FROM lines l
        CROSS JOIN LATERAL (VALUES
          (1, date_trunc('minute', l.created_at)),
          (2, date_trunc('hour', l.created_at AT TIME ZONE l.tz) AT TIME ZONE l.tz),
          (3, date_trunc('day', l.created_at AT TIME ZONE l.tz) AT TIME ZONE l.tz),
          (0, 'epoch'::timestamptz)
        ) AS g(grain, bucket)
        CROSS JOIN LATERAL (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), (l.stream_id)) AS s(stream_key)
        WHERE s.stream_key IS NOT NULL
          AND NOT (g.grain = 0 AND s.stream_key = '00000000-0000-0000-0000-000000000000')
        UNION ALL
        SELECT l.merchant_id, 4::smallint, l.stream_id, l.product_key, l.currency, 'epoch'::timestamptz,
               l.buyer_id, l.sign, l.amount, l.qty, l.paid, l.refunded
        FROM lines l WHERE l.pinned AND l.stream_id IS NOT NULL
      ),
      b AS (
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, sum(sign)::int AS dn
        FROM k GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(sign) <> 0
      ),
      bu AS (
        INSERT INTO report_buyers AS r (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id, n)
        SELECT * FROM b ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id)
        DO UPDATE SET n = r.n + EXCLUDED.n
        RETURNING r.merchant_id, r.grain, r.stream_key, r.product_key, r.currency, r.bucket, r.buyer_id, r.n
      ),
      bd AS (
        SELECT bu.merchant_id, bu.grain, bu.stream_key, bu.product_key, bu.currency, bu.bucket,
               sum((bu.n > 0)::int - ((bu.n - b.dn) > 0)::int)::int AS dbuyers
        FROM bu JOIN b USING (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id)
        GROUP BY 1, 2, 3, 4, 5, 6
      ),
      a AS (
        SELECT merchant_id, grain, stream_key, product_key, currency, bucket,
               sum(sign * amount) AS gmv,
               coalesce(sum(sign * amount) FILTER (WHERE paid), 0) AS paid,
               coalesce(sum(sign * amount) FILTER (WHERE refunded), 0) AS refunded,
               sum(sign)::int AS orders,
               sum(sign * qty) AS units
        FROM k GROUP BY 1, 2, 3, 4, 5, 6
      )
      INSERT INTO report_rollups AS r (merchant_id, grain, stream_key, product_key, currency, bucket,
        gmv_cents, paid_cents, refunded_cents, orders, units, buyers)
      SELECT a.merchant_id, a.grain, a.stream_key, a.product_key, a.currency, a.bucket,
             a.gmv, a.paid, a.refunded, a.orders, a.units, coalesce(bd.dbuyers, 0)
      FROM a LEFT JOIN bd USING (merchant_id, grain, stream_key, product_key, currency, bucket)
      ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (merchant_id, grain, stream_key, product_key, currency, bucket) DO UPDATE SET
        gmv_cents = r.gmv_cents + EXCLUDED.gmv_cents,
        paid_cents = r.paid_cents + EXCLUDED.paid_cents,
        refunded_cents = r.refunded_cents + EXCLUDED.refunded_cents,
        orders = r.orders + EXCLUDED.orders,
        units = r.units + EXCLUDED.units,
        buyers = r.buyers + EXCLUDED.buyers
      $$`;

/** Distinct-buyer reference counts per rollup key (later migrations add `last_dn`, then replace it). */
export const REPORT_BUYERS_TABLE = `
      CREATE TABLE report_buyers (
        merchant_id uuid NOT NULL,
        grain smallint NOT NULL,
        stream_key uuid NOT NULL,
        product_key uuid NOT NULL,
        currency char(3) NOT NULL,
        bucket timestamptz NOT NULL,
        buyer_id uuid NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (merchant_id, grain, stream_key, product_key, currency, bucket, buyer_id)
      )`;

/** Recomputes one merchant's rollups from its orders (see `up`). Exported for later migrations that replace it. */
export const REPORTS_REBUILD_FUNCTION = `
      CREATE FUNCTION reports_rebuild(p_merchant uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_ids uuid[]; v_status text[]; v_sign int[];
      BEGIN
        PERFORM set_config('work_mem', '64MB', true);
        DELETE FROM report_journal WHERE merchant_id = p_merchant;
        DELETE FROM report_rollups WHERE merchant_id = p_merchant;
        DELETE FROM report_buyers WHERE merchant_id = p_merchant;
        SELECT array_agg(id), array_agg(status), array_agg(1) INTO v_ids, v_status, v_sign
        FROM orders WHERE merchant_id = p_merchant;
        IF v_ids IS NOT NULL THEN PERFORM reports_apply(v_ids, v_status, v_sign); END IF;
      END $$`;

export class Reports1763800300000 implements MigrationInterface {
  name = 'Reports1763800300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merchant_settings (
        merchant_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        time_zone text NOT NULL DEFAULT 'UTC',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE report_journal (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id uuid NOT NULL,
        merchant_id uuid NOT NULL,
        status text NOT NULL,
        sign smallint NOT NULL CHECK (sign IN (-1, 1)),
        op text NOT NULL CHECK (op IN ('created', 'moved'))
      )`);

    await q.query(`
      CREATE TABLE report_rollups (
        merchant_id uuid NOT NULL,
        grain smallint NOT NULL,
        stream_key uuid NOT NULL,
        product_key uuid NOT NULL,
        currency char(3) NOT NULL,
        bucket timestamptz NOT NULL,
        gmv_cents bigint NOT NULL DEFAULT 0,
        paid_cents bigint NOT NULL DEFAULT 0,
        refunded_cents bigint NOT NULL DEFAULT 0,
        orders integer NOT NULL DEFAULT 0,
        units bigint NOT NULL DEFAULT 0,
        buyers integer NOT NULL DEFAULT 0,
        PRIMARY KEY (merchant_id, grain, stream_key, product_key, currency, bucket)
      )`);

    await q.query(REPORT_BUYERS_TABLE);

    // Journal triggers: statement-level with transition tables, so a
    // reservation batch of 256 orders or an expiry sweep is one INSERT … SELECT.
    // An order's items are inserted by one statement (the reservation), which
    // is when the order is complete enough to count.
    await q.query(`
      CREATE FUNCTION report_journal_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
        SELECT o.id, o.merchant_id, o.status, 1, 'created'
        FROM orders o WHERE o.id IN (SELECT DISTINCT order_id FROM new_items);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER order_items_report_journal AFTER INSERT ON order_items
      REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION report_journal_created()`);
    await q.query(`
      CREATE FUNCTION report_journal_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_journal (order_id, merchant_id, status, sign, op)
        SELECT n.id, n.merchant_id, x.status, x.sign, 'moved'
        FROM old_orders o JOIN new_orders n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.status, -1), (n.status, 1)) AS x(status, sign)
        WHERE o.status IS DISTINCT FROM n.status;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER orders_report_journal AFTER UPDATE ON orders
      REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
      FOR EACH STATEMENT EXECUTE FUNCTION report_journal_moved()`);

    // Adds (sign +1) or removes (sign -1) the contribution of orders in the
    // given statuses. Orders' merchant, currency, buyer, stream, pin, time and
    // items never change after creation, so applying later is exact.
    await q.query(REPORTS_APPLY_FUNCTION);

    // Drains up to p_limit journal rows into the rollups and returns them
    // (for the ticker and the webhooks). One folder at a time.
    await q.query(`
      CREATE FUNCTION reports_fold(p_limit int)
      RETURNS TABLE (order_id uuid, status text, sign int, op text)
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_ids uuid[]; v_status text[]; v_sign int[]; v_op text[];
      BEGIN
        PERFORM pg_advisory_xact_lock(7638003);
        -- The aggregates of a large batch fit in memory instead of spilling.
        PERFORM set_config('work_mem', '64MB', true);
        WITH j AS (
          DELETE FROM report_journal
          WHERE seq IN (SELECT seq FROM report_journal ORDER BY seq LIMIT p_limit)
          RETURNING report_journal.seq, report_journal.order_id, report_journal.status,
                    report_journal.sign, report_journal.op
        )
        SELECT array_agg(j.order_id ORDER BY j.seq), array_agg(j.status ORDER BY j.seq),
               array_agg(j.sign::int ORDER BY j.seq), array_agg(j.op ORDER BY j.seq)
        INTO v_ids, v_status, v_sign, v_op FROM j;
        IF v_ids IS NULL THEN RETURN; END IF;
        PERFORM reports_apply(v_ids, v_status, v_sign);
        RETURN QUERY SELECT * FROM unnest(v_ids, v_status, v_sign, v_op);
      END $$`);

    // Recomputes one merchant's rollups from its orders (after a time-zone
    // change; also how the benchmark seeds). Must run in a REPEATABLE READ
    // transaction while holding the folder's lock as a session lock, so the
    // journal rows it drops are exactly the changes its snapshot counts.
    await q.query(REPORTS_REBUILD_FUNCTION);

    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        merchant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[] NOT NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhooks_merchant_idx ON webhooks (merchant_id)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event text NOT NULL,
        event_id text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (webhook_id, event_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC)`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (updated_at) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
    await q.query(`DROP FUNCTION reports_rebuild(uuid)`);
    await q.query(`DROP FUNCTION reports_fold(int)`);
    await q.query(`DROP FUNCTION reports_apply(uuid[], text[], int[])`);
    await q.query(`DROP TRIGGER orders_report_journal ON orders`);
    await q.query(`DROP FUNCTION report_journal_moved()`);
    await q.query(`DROP TRIGGER order_items_report_journal ON order_items`);
    await q.query(`DROP FUNCTION report_journal_created()`);
    await q.query(`DROP TABLE report_buyers`);
    await q.query(`DROP TABLE report_rollups`);
    await q.query(`DROP TABLE report_journal`);
    await q.query(`DROP TABLE merchant_settings`);
  }
}
