import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Commerce: merchant ↔ streamer links, product pins (the stream's chapters and
 * flash sales), orders with their items, payments and webhook events.
 *
 * Stock can never go below zero: `products.stock` already has CHECK (stock >= 0)
 * and `pins.sale_remaining` gets its own; the reservation code never relies on
 * them (it decides under row locks) but they make an oversell a failed
 * transaction rather than a silent one.
 */
export class Commerce1763800100000 implements MigrationInterface {
  name = 'Commerce1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merchant_streamers (
        merchant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        streamer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (merchant_id, streamer_id)
      )`);
    await q.query(`CREATE INDEX merchant_streamers_streamer_idx ON merchant_streamers (streamer_id)`);

    await q.query(`
      CREATE TABLE pins (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        stream_id uuid NOT NULL REFERENCES streams(id),
        product_id uuid NOT NULL REFERENCES products(id),
        pinned_by uuid NOT NULL REFERENCES users(id),
        pinned_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        unpinned_at timestamptz,
        sale_price_cents integer CHECK (sale_price_cents >= 0),
        sale_stock integer CHECK (sale_stock > 0),
        sale_remaining integer CHECK (sale_remaining >= 0 AND sale_remaining <= sale_stock),
        ends_at timestamptz,
        per_buyer_limit integer CHECK (per_buyer_limit > 0),
        CHECK ((sale_stock IS NULL) = (sale_remaining IS NULL)),
        CHECK (sale_stock IS NULL OR sale_price_cents IS NOT NULL),
        CHECK (unpinned_at IS NULL OR unpinned_at >= pinned_at)
      )`);
    // One pinned product per stream, enforced by the database.
    await q.query(`CREATE UNIQUE INDEX pins_one_current_key ON pins (stream_id) WHERE unpinned_at IS NULL`);
    await q.query(`CREATE INDEX pins_stream_idx ON pins (stream_id, pinned_at)`);
    await q.query(`CREATE INDEX pins_product_current_idx ON pins (product_id) WHERE unpinned_at IS NULL`);

    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        buyer_id uuid NOT NULL REFERENCES users(id),
        merchant_id uuid NOT NULL REFERENCES users(id),
        status text NOT NULL CHECK (status IN
          ('pending_payment','paid','fulfilled','expired','cancelled','refunded')),
        currency char(3) NOT NULL,
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        stream_id uuid REFERENCES streams(id),
        pin_id uuid REFERENCES pins(id),
        stream_offset_ms bigint,
        pin_units integer NOT NULL DEFAULT 0 CHECK (pin_units >= 0),
        sale_units integer NOT NULL DEFAULT 0 CHECK (sale_units >= 0 AND sale_units <= pin_units),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        paid_at timestamptz,
        fulfilled_at timestamptz,
        closed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX orders_buyer_idempotency_key ON orders (buyer_id, idempotency_key)`);
    await q.query(`CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at DESC)`);
    await q.query(`CREATE INDEX orders_merchant_idx ON orders (merchant_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX orders_stream_idx ON orders (stream_id, created_at) WHERE stream_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX orders_pin_buyer_idx ON orders (pin_id, buyer_id) WHERE pin_id IS NOT NULL`);
    await q.query(
      `CREATE INDEX orders_pending_expiry_idx ON orders (expires_at) WHERE status = 'pending_payment'`,
    );

    await q.query(`
      CREATE TABLE order_items (
        order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        product_id uuid NOT NULL REFERENCES products(id),
        title text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
        sale boolean NOT NULL DEFAULT false,
        PRIMARY KEY (order_id, product_id)
      )`);
    await q.query(`CREATE INDEX order_items_product_idx ON order_items (product_id)`);

    await q.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES orders(id),
        provider text NOT NULL,
        session_id text NOT NULL,
        checkout_url text NOT NULL,
        status text NOT NULL CHECK (status IN ('open','succeeded','failed','refunded','refund_due')),
        amount_cents bigint NOT NULL,
        currency char(3) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX payments_provider_session_key ON payments (provider, session_id)`);
    await q.query(`CREATE INDEX payments_order_idx ON payments (order_id, created_at DESC)`);

    // Webhook events already applied: a replayed event id changes nothing.
    await q.query(`
      CREATE TABLE payment_events (
        provider text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_events`);
    await q.query(`DROP TABLE payments`);
    await q.query(`DROP TABLE order_items`);
    await q.query(`DROP TABLE orders`);
    await q.query(`DROP TABLE pins`);
    await q.query(`DROP TABLE merchant_streamers`);
  }
}
