import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT '{viewer}'
          CHECK (roles <@ ARRAY['viewer','streamer','merchant','admin']::text[] AND cardinality(roles) > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);

    await q.query(`
      CREATE TABLE products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        merchant_id uuid NOT NULL REFERENCES users(id),
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        image_url text,
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        stock integer NOT NULL CHECK (stock >= 0),
        sku text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX products_merchant_idx ON products (merchant_id, created_at DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX products_merchant_sku_key ON products (merchant_id, sku) WHERE sku IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE streams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL REFERENCES users(id),
        merchant_id uuid REFERENCES users(id),
        title text NOT NULL,
        status text NOT NULL DEFAULT 'created' CHECK (status IN ('created','live','ended')),
        stream_key_hash text NOT NULL,
        started_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX streams_status_idx ON streams (status, created_at DESC)`);
    await q.query(`CREATE INDEX streams_owner_idx ON streams (owner_id, created_at DESC)`);
    await q.query(`CREATE UNIQUE INDEX streams_key_hash_key ON streams (stream_key_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE streams`);
    await q.query(`DROP TABLE products`);
    await q.query(`DROP TABLE users`);
  }
}
