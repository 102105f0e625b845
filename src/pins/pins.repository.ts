import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '../database/sql';
import { TransactionalRepository } from '../database/transactional.repository';
import type { LockedProduct } from '../orders/allocation';

export interface PinRow {
  id: string;
  streamId: string;
  productId: string;
  pinnedBy: string;
  pinnedAt: Date;
  unpinnedAt: Date | null;
  salePriceCents: number | null;
  saleStock: number | null;
  saleRemaining: number | null;
  endsAt: Date | null;
  perBuyerLimit: number | null;
}

/** A pin with what the overlay shows of its product and stream. */
export interface PinWithProduct extends PinRow {
  title: string;
  description: string;
  digital: boolean;
  imageUrl: string | null;
  currency: string;
  priceCents: number;
  stock: number;
  streamStatus: 'created' | 'live' | 'ended';
  streamStartedAt: Date | null;
}

export interface StreamForPin {
  id: string;
  ownerId: string;
  merchantId: string | null;
  status: 'created' | 'live' | 'ended';
}

interface RawPin {
  id: string;
  stream_id: string;
  product_id: string;
  pinned_by: string;
  pinned_at: Date;
  unpinned_at: Date | null;
  sale_price_cents: number | null;
  sale_stock: number | null;
  sale_remaining: number | null;
  ends_at: Date | null;
  per_buyer_limit: number | null;
}

interface RawPinWithProduct extends RawPin {
  title: string;
  description: string;
  digital: boolean;
  image_url: string | null;
  currency: string;
  price_cents: number;
  stock: number;
  stream_status: 'created' | 'live' | 'ended';
  stream_started_at: Date | null;
}

const toPin = (r: RawPin): PinRow => ({
  id: r.id,
  streamId: r.stream_id,
  productId: r.product_id,
  pinnedBy: r.pinned_by,
  pinnedAt: r.pinned_at,
  unpinnedAt: r.unpinned_at,
  salePriceCents: r.sale_price_cents,
  saleStock: r.sale_stock,
  saleRemaining: r.sale_remaining,
  endsAt: r.ends_at,
  perBuyerLimit: r.per_buyer_limit,
});

const toPinWithProduct = (r: RawPinWithProduct): PinWithProduct => ({
  ...toPin(r),
  title: r.title,
  description: r.description,
  digital: r.digital,
  imageUrl: r.image_url,
  currency: r.currency,
  priceCents: r.price_cents,
  stock: r.stock,
  streamStatus: r.stream_status,
  streamStartedAt: r.stream_started_at,
});

const WITH_PRODUCT = `SELECT p.*, pr.title, pr.description, pr.digital, pr.image_url, pr.currency, pr.price_cents, pr.stock,
    s.status AS stream_status, s.started_at AS stream_started_at
  FROM pins p JOIN products pr ON pr.id = p.product_id JOIN streams s ON s.id = p.stream_id`;

@Injectable()
export class PinsRepository extends TransactionalRepository {
  /**
   * Locks the stream row so pin changes of one stream are serialised. NO KEY
   * UPDATE, not UPDATE: orders referencing the stream (foreign-key share
   * locks) are not blocked by it.
   */
  async lockStream(q: SqlRunner, streamId: string): Promise<StreamForPin | null> {
    const rows = await q.query<{
      id: string;
      owner_id: string;
      merchant_id: string | null;
      status: StreamForPin['status'];
    }>('SELECT id, owner_id, merchant_id, status FROM streams WHERE id = $1 FOR NO KEY UPDATE', [streamId]);
    const r = rows[0];
    return r ? { id: r.id, ownerId: r.owner_id, merchantId: r.merchant_id, status: r.status } : null;
  }

  async product(q: SqlRunner, productId: string): Promise<LockedProduct | null> {
    const rows = await q.query<{
      id: string;
      merchant_id: string;
      title: string;
      price_cents: number;
      currency: string;
      stock: number;
    }>('SELECT id, merchant_id, title, price_cents, currency, stock FROM products WHERE id = $1', [
      productId,
    ]);
    const r = rows[0];
    return r
      ? {
          id: r.id,
          merchantId: r.merchant_id,
          title: r.title,
          priceCents: r.price_cents,
          currency: r.currency,
          stock: r.stock,
        }
      : null;
  }

  /** Ends the stream's current pin, if any; returns its id. */
  async unpinCurrent(q: SqlRunner, streamId: string): Promise<string | null> {
    const rows = await q.query<{ id: string }>(
      `UPDATE pins SET unpinned_at = clock_timestamp() WHERE stream_id = $1 AND unpinned_at IS NULL RETURNING id`,
      [streamId],
    );
    return rows[0]?.id ?? null;
  }

  async unpin(q: SqlRunner, streamId: string, pinId: string): Promise<boolean> {
    const rows = await q.query(
      `UPDATE pins SET unpinned_at = clock_timestamp()
       WHERE id = $1 AND stream_id = $2 AND unpinned_at IS NULL RETURNING id`,
      [pinId, streamId],
    );
    return rows.length === 1;
  }

  async insert(
    q: SqlRunner,
    p: {
      streamId: string;
      productId: string;
      pinnedBy: string;
      salePriceCents: number | null;
      saleStock: number | null;
      endsAt: Date | null;
      perBuyerLimit: number | null;
    },
  ): Promise<string> {
    const rows = await q.query<{ id: string }>(
      `INSERT INTO pins (stream_id, product_id, pinned_by, sale_price_cents, sale_stock, sale_remaining,
         ends_at, per_buyer_limit)
       VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id`,
      [p.streamId, p.productId, p.pinnedBy, p.salePriceCents, p.saleStock, p.endsAt, p.perBuyerLimit],
    );
    return rows[0].id;
  }

  async findWithProduct(pinId: string, q: SqlRunner = this.sql): Promise<PinWithProduct | null> {
    const rows = await q.query<RawPinWithProduct>(`${WITH_PRODUCT} WHERE p.id = $1`, [pinId]);
    return rows[0] ? toPinWithProduct(rows[0]) : null;
  }

  async current(streamId: string): Promise<PinWithProduct | null> {
    const rows = await this.sql.query<RawPinWithProduct>({
      name: 'lc_pin_current',
      text: `${WITH_PRODUCT} WHERE p.stream_id = $1 AND p.unpinned_at IS NULL`,
      values: [streamId],
    });
    return rows[0] ? toPinWithProduct(rows[0]) : null;
  }

  /** Current pins showing any of these products (for `stock` events). */
  async currentForProducts(productIds: string[]): Promise<PinWithProduct[]> {
    if (productIds.length === 0) return [];
    const rows = await this.sql.query<RawPinWithProduct>({
      name: 'lc_pin_for_products',
      text: `${WITH_PRODUCT} WHERE p.product_id = ANY($1::uuid[]) AND p.unpinned_at IS NULL`,
      values: [productIds],
    });
    return rows.map(toPinWithProduct);
  }

  async history(streamId: string): Promise<PinWithProduct[]> {
    const rows = await this.sql.query<RawPinWithProduct>(
      `${WITH_PRODUCT} WHERE p.stream_id = $1 ORDER BY p.pinned_at, p.id`,
      [streamId],
    );
    return rows.map(toPinWithProduct);
  }

  /** Units a buyer holds under a pin (orders waiting for payment, paid or shipped): what its limit counts. */
  async buyerUnits(pinId: string, buyerId: string): Promise<number> {
    const rows = await this.sql.query<{ units: number }>(
      `SELECT coalesce(sum(pin_units), 0)::int AS units FROM orders
       WHERE pin_id = $1 AND buyer_id = $2 AND status IN ('pending_payment', 'paid', 'fulfilled')`,
      [pinId, buyerId],
    );
    return rows[0].units;
  }

  async streamExists(streamId: string): Promise<{ startedAt: Date | null; endedAt: Date | null } | null> {
    const rows = await this.sql.query<{ started_at: Date | null; ended_at: Date | null }>(
      'SELECT started_at, ended_at FROM streams WHERE id = $1',
      [streamId],
    );
    return rows[0] ? { startedAt: rows[0].started_at, endedAt: rows[0].ended_at } : null;
  }
}
