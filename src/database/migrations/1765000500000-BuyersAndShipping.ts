import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders that can be shipped: buyers keep shipping addresses, an order keeps
 * a snapshot of the address it ships to (its own table, written before
 * payment: the reservation's hot insert into `orders` stays as it was), and
 * a fulfilled order keeps its carrier and tracking.
 */
export class BuyersAndShipping1765000500000 implements MigrationInterface {
  name = 'BuyersAndShipping1765000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE buyer_addresses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      line1 text NOT NULL,
      line2 text,
      city text NOT NULL,
      region text,
      postal_code text,
      country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
      phone text,
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX buyer_addresses_user_idx ON buyer_addresses (user_id, created_at)`);
    await q.query(
      `CREATE UNIQUE INDEX buyer_addresses_one_default_key ON buyer_addresses (user_id) WHERE is_default`,
    );

    // No foreign key to orders, like order_items: orders are never deleted.
    await q.query(`CREATE TABLE order_shipping (
      order_id uuid PRIMARY KEY,
      address_id uuid,
      name text NOT NULL,
      line1 text NOT NULL,
      line2 text,
      city text NOT NULL,
      region text,
      postal_code text,
      country char(2) NOT NULL,
      phone text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`ALTER TABLE orders
      ADD COLUMN fulfil_carrier text,
      ADD COLUMN fulfil_tracking_number text,
      ADD COLUMN fulfil_tracking_url text`);
    // The shop's fulfilment list: paid orders, oldest first.
    await q.query(
      `CREATE INDEX orders_merchant_to_fulfil_idx ON orders (merchant_id, paid_at) WHERE status = 'paid'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX orders_merchant_to_fulfil_idx');
    await q.query(`ALTER TABLE orders DROP COLUMN fulfil_carrier, DROP COLUMN fulfil_tracking_number,
      DROP COLUMN fulfil_tracking_url`);
    await q.query('DROP TABLE order_shipping');
    await q.query('DROP TABLE buyer_addresses');
  }
}
