import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { ConflictError } from '../common/errors/domain-errors';
import { Sql } from '../database/sql';
import { ProductEntity } from './product.entity';

export type NewProduct = Pick<
  ProductEntity,
  | 'merchantId'
  | 'title'
  | 'description'
  | 'imageUrl'
  | 'priceCents'
  | 'currency'
  | 'stock'
  | 'sku'
  | 'digital'
>;

/** An uploaded picture of a product, in its place among the product's pictures. */
export interface ProductImageRow {
  id: string;
  productId: string;
  position: number;
  width: number;
  height: number;
  bytes: number;
  createdAt: Date;
}

/** A stream that pinned a product: where it was shown. */
export interface ShownInRow {
  streamId: string;
  title: string;
  status: 'created' | 'live' | 'ended';
  startedAt: Date | null;
  endedAt: Date | null;
  pins: number;
  firstPinnedAt: Date;
  lastPinnedAt: Date;
}

function rethrowUnique(e: unknown): never {
  if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') {
    throw new ConflictError('This SKU is already used by another of your products', 'sku_taken');
  }
  throw e;
}

@Injectable()
export class ProductsRepository {
  constructor(
    @InjectRepository(ProductEntity) private readonly repo: Repository<ProductEntity>,
    private readonly sql: Sql,
  ) {}

  async create(p: NewProduct): Promise<ProductEntity> {
    try {
      return await this.repo.save(this.repo.create(p));
    } catch (e) {
      rethrowUnique(e);
    }
  }

  findById(id: string): Promise<ProductEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async list(opts: {
    merchantId?: string;
    limit: number;
    offset: number;
  }): Promise<[ProductEntity[], number]> {
    return this.repo.findAndCount({
      where: opts.merchantId ? { merchantId: opts.merchantId } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      take: opts.limit,
      skip: opts.offset,
    });
  }

  async update(id: string, patch: Partial<NewProduct>): Promise<ProductEntity | null> {
    try {
      if (Object.keys(patch).length > 0) await this.repo.update({ id }, patch);
    } catch (e) {
      rethrowUnique(e);
    }
    return this.findById(id);
  }

  /**
   * Adds `delta` to the stock in one conditional statement (concurrent
   * reservations keep their decrements); null when the result would leave
   * 0..max, and nothing changes then.
   */
  async adjustStock(id: string, delta: number, max: number): Promise<number | null> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [{ stock: number }[], number] = await this.repo.query(
      `UPDATE products SET stock = stock + $2, updated_at = now()
       WHERE id = $1 AND stock + $2 BETWEEN 0 AND $3 RETURNING stock`,
      [id, delta, max],
    );
    return rows[0]?.stock ?? null;
  }

  async countByMerchant(merchantId: string): Promise<number> {
    return this.repo.countBy({ merchantId });
  }

  /** Pictures of these products, in order. */
  async images(productIds: string[]): Promise<ProductImageRow[]> {
    if (productIds.length === 0) return [];
    const rows = await this.sql.query<{
      id: string;
      product_id: string;
      position: number;
      width: number;
      height: number;
      bytes: number;
      created_at: Date;
    }>(
      `SELECT id, product_id, position, width, height, bytes, created_at FROM product_images
       WHERE product_id = ANY($1::uuid[]) ORDER BY product_id, position, created_at`,
      [productIds],
    );
    return rows.map((r) => ({
      id: r.id,
      productId: r.product_id,
      position: r.position,
      width: r.width,
      height: r.height,
      bytes: r.bytes,
      createdAt: r.created_at,
    }));
  }

  /**
   * Adds a picture after the product's others, unless it already has `max`
   * (then null). The product row is locked so two uploads cannot both take
   * the last place.
   */
  async addImage(
    productId: string,
    img: { width: number; height: number; bytes: number },
    max: number,
  ): Promise<string | null> {
    return this.sql.tx(async (q) => {
      await q.query('SELECT id FROM products WHERE id = $1 FOR NO KEY UPDATE', [productId]);
      const [c] = await q.query<{ n: number; next: number }>(
        `SELECT count(*)::int AS n, coalesce(max(position) + 1, 0)::int AS next
         FROM product_images WHERE product_id = $1`,
        [productId],
      );
      if (c.n >= max) return null;
      const rows = await q.query<{ id: string }>(
        `INSERT INTO product_images (product_id, position, width, height, bytes)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [productId, c.next, img.width, img.height, img.bytes],
      );
      return rows[0].id;
    });
  }

  async removeImage(productId: string, imageId: string): Promise<boolean> {
    const rows = await this.sql.query(
      'DELETE FROM product_images WHERE id = $1 AND product_id = $2 RETURNING id',
      [imageId, productId],
    );
    return rows.length === 1;
  }

  async imageExists(imageId: string): Promise<boolean> {
    const rows = await this.sql.query('SELECT 1 FROM product_images WHERE id = $1', [imageId]);
    return rows.length === 1;
  }

  /** The streams that pinned a product, most recent first. */
  async shownIn(productId: string, limit: number): Promise<ShownInRow[]> {
    const rows = await this.sql.query<{
      stream_id: string;
      title: string;
      status: ShownInRow['status'];
      started_at: Date | null;
      ended_at: Date | null;
      pins: number;
      first_pinned_at: Date;
      last_pinned_at: Date;
    }>(
      `SELECT s.id AS stream_id, s.title, s.status, s.started_at, s.ended_at,
              p.pins, p.first_pinned_at, p.last_pinned_at
       FROM (SELECT stream_id, count(*)::int AS pins, min(pinned_at) AS first_pinned_at,
                    max(pinned_at) AS last_pinned_at
             FROM pins WHERE product_id = $1 GROUP BY stream_id) p
       JOIN streams s ON s.id = p.stream_id
       ORDER BY p.last_pinned_at DESC, s.id LIMIT $2`,
      [productId, limit],
    );
    return rows.map((r) => ({
      streamId: r.stream_id,
      title: r.title,
      status: r.status,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      pins: r.pins,
      firstPinnedAt: r.first_pinned_at,
      lastPinnedAt: r.last_pinned_at,
    }));
  }
}
