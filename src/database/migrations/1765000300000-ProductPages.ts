import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Product pages: a product can be digital (no shipping address needed), and
 * has uploaded pictures (stored resized under DATA_DIR/images, described
 * here in their order).
 */
export class ProductPages1765000300000 implements MigrationInterface {
  name = 'ProductPages1765000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE products ADD COLUMN digital boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE TABLE product_images (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      position integer NOT NULL,
      width integer NOT NULL CHECK (width > 0),
      height integer NOT NULL CHECK (height > 0),
      bytes integer NOT NULL CHECK (bytes > 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX product_images_product_idx ON product_images (product_id, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE product_images`);
    await q.query(`ALTER TABLE products DROP COLUMN digital`);
  }
}
