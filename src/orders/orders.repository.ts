import { Injectable } from '@nestjs/common';
import type { Order, OrderItem, OrderStatus } from './order.model';
import type { OrderView, PaymentSummary, ShippingAddress } from './order-view';
import { Sql, type SqlRunner } from '../database/sql';

/** A row that left a holding state and whose units went back. */
export interface Released {
  id: string;
  streamId: string | null;
  productIds: string[];
}

interface OrderRow {
  id: string;
  buyer_id: string;
  merchant_id: string;
  status: OrderStatus;
  currency: string;
  total_cents: string;
  stream_id: string | null;
  pin_id: string | null;
  stream_offset_ms: string | null;
  created_at: Date;
  expires_at: Date;
  paid_at: Date | null;
  fulfilled_at: Date | null;
  closed_at: Date | null;
  request_hash: string;
  items: OrderItem[] | null;
}

const ORDER_COLUMNS = `o.id, o.buyer_id, o.merchant_id, o.status, o.currency, o.total_cents, o.stream_id,
  o.pin_id, o.stream_offset_ms, o.created_at, o.expires_at, o.paid_at, o.fulfilled_at, o.closed_at,
  o.request_hash,
  (SELECT json_agg(json_build_object('productId', i.product_id, 'title', i.title, 'quantity', i.quantity,
     'unitPriceCents', i.unit_price_cents, 'sale', i.sale) ORDER BY i.product_id)
   FROM order_items i WHERE i.order_id = o.id) AS items`;

/** What an OrderView adds: buyer, shipping snapshot, fulfilment, each item's digital flag. */
const VIEW_COLUMNS = `o.id, o.buyer_id, o.merchant_id, o.status, o.currency, o.total_cents, o.stream_id,
  o.pin_id, o.stream_offset_ms, o.created_at, o.expires_at, o.paid_at, o.fulfilled_at, o.closed_at,
  o.request_hash, o.fulfil_carrier, o.fulfil_tracking_number, o.fulfil_tracking_url, o.refunded_cents,
  u.display_name AS buyer_name, u.email AS buyer_email,
  (SELECT json_agg(json_build_object('productId', i.product_id, 'title', i.title, 'quantity', i.quantity,
     'unitPriceCents', i.unit_price_cents, 'sale', i.sale, 'digital', coalesce(p.digital, false))
     ORDER BY i.product_id)
   FROM order_items i LEFT JOIN products p ON p.id = i.product_id WHERE i.order_id = o.id) AS items,
  (SELECT json_build_object('name', sh.name, 'line1', sh.line1, 'line2', sh.line2, 'city', sh.city,
     'region', sh.region, 'postalCode', sh.postal_code, 'country', sh.country, 'phone', sh.phone)
   FROM order_shipping sh WHERE sh.order_id = o.id) AS shipping,
  (SELECT pn.product_id FROM pins pn WHERE pn.id = o.pin_id) AS pinned_product_id`;
const VIEW_FROM = 'orders o LEFT JOIN users u ON u.id = o.buyer_id';

interface ViewRow extends Omit<OrderRow, 'items'> {
  refunded_cents: string;
  fulfil_carrier: string | null;
  fulfil_tracking_number: string | null;
  fulfil_tracking_url: string | null;
  buyer_name: string | null;
  buyer_email: string | null;
  items: (OrderItem & { digital: boolean })[] | null;
  shipping: ShippingAddress | null;
  pinned_product_id: string | null;
}

function toView(r: ViewRow): OrderView {
  const items = r.items ?? [];
  return {
    ...toOrder({ ...r, items }),
    items,
    buyer: { id: r.buyer_id, name: r.buyer_name ?? '', email: r.buyer_email ?? '' },
    needsShipping: items.some((i) => !i.digital),
    refundedCents: Number(r.refunded_cents),
    shipping: r.shipping,
    fulfilment: r.fulfilled_at
      ? {
          carrier: r.fulfil_carrier,
          trackingNumber: r.fulfil_tracking_number,
          trackingUrl: r.fulfil_tracking_url,
          fulfilledAt: r.fulfilled_at,
        }
      : null,
    pinnedProductId: r.pinned_product_id,
  };
}

/** One line of the shop's fulfilment list (CSV): an item of a paid order, with where it goes. */
export interface ToFulfilLine {
  orderId: string;
  paidAt: Date;
  buyerName: string;
  buyerEmail: string;
  shipping: ShippingAddress | null;
  productId: string;
  sku: string | null;
  title: string;
  quantity: number;
  digital: boolean;
  currency: string;
  totalCents: number;
}

function toOrder(r: OrderRow): Order & { requestHash: string } {
  return {
    id: r.id,
    buyerId: r.buyer_id,
    merchantId: r.merchant_id,
    status: r.status,
    currency: r.currency,
    totalCents: Number(r.total_cents),
    streamId: r.stream_id,
    pinId: r.pin_id,
    streamOffsetMs: r.stream_offset_ms === null ? null : Number(r.stream_offset_ms),
    items: r.items ?? [],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    paidAt: r.paid_at,
    fulfilledAt: r.fulfilled_at,
    closedAt: r.closed_at,
    requestHash: r.request_hash,
  };
}

@Injectable()
export class OrdersRepository {
  constructor(private readonly sql: Sql) {}

  async findById(id: string): Promise<(Order & { requestHash: string }) | null> {
    const rows = await this.sql.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1`, [
      id,
    ]);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async findByIds(ids: string[]): Promise<(Order & { requestHash: string })[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toOrder);
  }

  async findView(id: string): Promise<OrderView | null> {
    const rows = await this.sql.query<ViewRow>(`SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE o.id = $1`, [
      id,
    ]);
    return rows[0] ? toView(rows[0]) : null;
  }

  async payments(orderId: string): Promise<PaymentSummary[]> {
    const rows = await this.sql.query<{
      provider: string;
      status: string;
      amount_cents: string;
      currency: string;
      created_at: Date;
      updated_at: Date;
    }>(
      `SELECT provider, status, amount_cents, currency, created_at, updated_at FROM payments
       WHERE order_id = $1 ORDER BY created_at, id`,
      [orderId],
    );
    return rows.map((r) => ({
      provider: r.provider,
      status: r.status,
      amountCents: Number(r.amount_cents),
      currency: r.currency,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** When the shipping address was first given, if it was. */
  async shippingSince(orderId: string): Promise<Date | null> {
    const rows = await this.sql.query<{ created_at: Date }>(
      'SELECT created_at FROM order_shipping WHERE order_id = $1',
      [orderId],
    );
    return rows[0]?.created_at ?? null;
  }

  /**
   * Stores the address an unpaid order ships to (replacing one given
   * before). Only the buyer's own order, and only while it waits for payment:
   * false otherwise.
   */
  async setShipping(
    orderId: string,
    buyerId: string,
    a: ShippingAddress,
    addressId: string | null,
  ): Promise<boolean> {
    const rows = await this.sql.query(
      `INSERT INTO order_shipping AS sh (order_id, address_id, name, line1, line2, city, region, postal_code,
         country, phone)
       SELECT o.id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM orders o
       WHERE o.id = $1 AND o.buyer_id = $2 AND o.status = 'pending_payment'
       ON CONFLICT (order_id) DO UPDATE SET address_id = EXCLUDED.address_id, name = EXCLUDED.name,
         line1 = EXCLUDED.line1, line2 = EXCLUDED.line2, city = EXCLUDED.city, region = EXCLUDED.region,
         postal_code = EXCLUDED.postal_code, country = EXCLUDED.country, phone = EXCLUDED.phone,
         updated_at = now()
       RETURNING order_id`,
      [
        orderId,
        buyerId,
        addressId,
        a.name,
        a.line1,
        a.line2,
        a.city,
        a.region,
        a.postalCode,
        a.country,
        a.phone,
      ],
    );
    return rows.length === 1;
  }

  /** The shop's paid orders that wait to be shipped, oldest payment first, one line per item. */
  async toFulfil(merchantId: string | undefined, limit: number): Promise<ToFulfilLine[]> {
    const rows = await this.sql.query<{
      id: string;
      paid_at: Date;
      buyer_name: string | null;
      buyer_email: string | null;
      shipping: ShippingAddress | null;
      product_id: string;
      sku: string | null;
      title: string;
      quantity: number;
      digital: boolean | null;
      currency: string;
      total_cents: string;
    }>(
      `SELECT o.id, o.paid_at, u.display_name AS buyer_name, u.email AS buyer_email,
         (SELECT json_build_object('name', sh.name, 'line1', sh.line1, 'line2', sh.line2, 'city', sh.city,
            'region', sh.region, 'postalCode', sh.postal_code, 'country', sh.country, 'phone', sh.phone)
          FROM order_shipping sh WHERE sh.order_id = o.id) AS shipping,
         i.product_id, p.sku, i.title, i.quantity, p.digital, o.currency, o.total_cents
       FROM (SELECT * FROM orders WHERE status = 'paid' AND ($1::uuid IS NULL OR merchant_id = $1)
             ORDER BY paid_at, id LIMIT $2) o
       JOIN order_items i ON i.order_id = o.id
       LEFT JOIN products p ON p.id = i.product_id
       LEFT JOIN users u ON u.id = o.buyer_id
       ORDER BY o.paid_at, o.id, i.product_id`,
      [merchantId ?? null, limit],
    );
    return rows.map((r) => ({
      orderId: r.id,
      paidAt: r.paid_at,
      buyerName: r.buyer_name ?? '',
      buyerEmail: r.buyer_email ?? '',
      shipping: r.shipping,
      productId: r.product_id,
      sku: r.sku,
      title: r.title,
      quantity: r.quantity,
      digital: r.digital ?? false,
      currency: r.currency,
      totalCents: Number(r.total_cents),
    }));
  }

  async list(f: {
    buyerId?: string;
    merchantId?: string;
    streamId?: string;
    status?: OrderStatus;
    limit: number;
    offset: number;
  }): Promise<{ items: OrderView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.buyerId) add('o.buyer_id = ?', f.buyerId);
    if (f.merchantId) add('o.merchant_id = ?', f.merchantId);
    if (f.streamId) add('o.stream_id = ?', f.streamId);
    if (f.status) add('o.status = ?', f.status);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [count] = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM orders o ${w}`, params);
    const rows = await this.sql.query<ViewRow>(
      `SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} ${w} ORDER BY o.created_at DESC, o.id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return { items: rows.map(toView), total: Number(count.n) };
  }

  async status(id: string): Promise<OrderStatus | null> {
    const rows = await this.sql.query<{ status: OrderStatus }>('SELECT status FROM orders WHERE id = $1', [
      id,
    ]);
    return rows[0]?.status ?? null;
  }

  /** A move that keeps the units (pay, fulfil). True when this call made it. */
  async move(
    id: string,
    from: OrderStatus,
    to: 'paid' | 'fulfilled',
    q: SqlRunner = this.sql,
  ): Promise<boolean> {
    const stamp = to === 'paid' ? 'paid_at = now()' : 'fulfilled_at = now()';
    const rows = await q.query(
      `UPDATE orders SET status = $3, ${stamp}, updated_at = now()
       WHERE id = $1 AND status = $2 RETURNING id`,
      [id, from, to],
    );
    return rows.length === 1;
  }

  /**
   * paid → fulfilled with how it was shipped, in the same statement as the
   * status change (the order.fulfilled webhook, folded from the journal,
   * reads them from the row). True when this call made the move.
   */
  async fulfil(
    id: string,
    f: { carrier: string | null; trackingNumber: string | null; trackingUrl: string | null },
  ): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE orders SET status = 'fulfilled', fulfilled_at = now(), updated_at = now(),
         fulfil_carrier = $2, fulfil_tracking_number = $3, fulfil_tracking_url = $4
       WHERE id = $1 AND status = 'paid' RETURNING id`,
      [id, f.carrier, f.trackingNumber, f.trackingUrl],
    );
    return rows.length === 1;
  }

  /**
   * Moves orders into a closed state and gives their units back to the
   * products (and sale units to their pins), in one transaction: the
   * conditional UPDATE picks exactly the rows that were still holding, so a
   * unit goes back once however many cancels, expiries or sweeps race.
   *
   * `due`: only orders whose hold has passed (expiry). `skipLocked`: batch
   * expiry leaves rows another transaction is moving (it will win or a later
   * sweep will see them).
   */
  async release(
    ids: string[] | 'all-due',
    from: OrderStatus,
    to: 'expired' | 'cancelled' | 'refunded',
    opts: { due?: boolean; skipLocked?: boolean; limit?: number } = {},
  ): Promise<Released[]> {
    return this.sql.tx((q) => this.releaseIn(q, ids, from, to, opts));
  }

  /** `release` inside the caller's transaction. */
  private async releaseIn(
    q: SqlRunner,
    ids: string[] | 'all-due',
    from: OrderStatus,
    to: 'expired' | 'cancelled' | 'refunded',
    opts: { due?: boolean; skipLocked?: boolean; limit?: number } = {},
  ): Promise<Released[]> {
    {
      const conds = [`status = $1`];
      const params: unknown[] = [from];
      if (ids !== 'all-due') {
        params.push(ids);
        conds.push(`id = ANY($${params.length}::uuid[])`);
      }
      if (opts.due || ids === 'all-due') conds.push('expires_at <= now()');
      params.push(opts.limit ?? 1000);
      const picked = await q.query<{ id: string }>(
        `SELECT id FROM orders WHERE ${conds.join(' AND ')}
         ORDER BY id LIMIT $${params.length} FOR NO KEY UPDATE${opts.skipLocked ? ' SKIP LOCKED' : ''}`,
        params,
      );
      if (picked.length === 0) return [];
      const moved = await q.query<{
        id: string;
        stream_id: string | null;
        pin_id: string | null;
        sale_units: number;
      }>(
        `UPDATE orders SET status = $3, closed_at = now(), updated_at = now()${
          to === 'refunded' ? ', refunded_cents = total_cents' : ''
        }
         WHERE id = ANY($1::uuid[]) AND status = $2
         RETURNING id, stream_id, pin_id, sale_units`,
        [picked.map((p) => p.id), from, to],
      );
      if (moved.length === 0) return [];
      const movedIds = moved.map((m) => m.id);
      const items = await q.query<{ order_id: string; product_id: string; quantity: number }>(
        'SELECT order_id, product_id, quantity FROM order_items WHERE order_id = ANY($1::uuid[])',
        [movedIds],
      );
      const sale = new Map<string, number>();
      for (const m of moved) {
        if (m.pin_id && m.sale_units > 0) sale.set(m.pin_id, (sale.get(m.pin_id) ?? 0) + m.sale_units);
      }
      if (sale.size > 0) {
        const pinIds = [...sale.keys()].sort();
        await q.query('SELECT id FROM pins WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE', [
          pinIds,
        ]);
        await q.query(
          `UPDATE pins SET sale_remaining = sale_remaining + d.q
           FROM unnest($1::uuid[], $2::int[]) AS d(id, q)
           WHERE pins.id = d.id AND pins.sale_remaining IS NOT NULL`,
          [pinIds, pinIds.map((id) => sale.get(id)!)],
        );
      }
      const stock = new Map<string, number>();
      for (const it of items) stock.set(it.product_id, (stock.get(it.product_id) ?? 0) + it.quantity);
      const productIds = [...stock.keys()].sort();
      await q.query('SELECT id FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE', [
        productIds,
      ]);
      await q.query(
        `UPDATE products p SET stock = p.stock + d.q, updated_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS d(id, q) WHERE p.id = d.id`,
        [productIds, productIds.map((id) => stock.get(id)!)],
      );
      const byOrder = new Map<string, string[]>();
      for (const it of items) byOrder.set(it.order_id, [...(byOrder.get(it.order_id) ?? []), it.product_id]);
      return moved.map((m) => ({ id: m.id, streamId: m.stream_id, productIds: byOrder.get(m.id) ?? [] }));
    }
  }

  /**
   * Gives money back on a paid or fulfilled order, in one transaction on its
   * locked row: `amountCents` (default: all that is left), at most what has
   * not been refunded yet. A refund that completes a paid order (not shipped)
   * moves it to `refunded` and returns its units, exactly once, as before
   * (kind `full`). Any other refund only gives money back (kind `partial`):
   * the order keeps its status and its units stay sold (a shipped order's
   * goods have left the shop).
   */
  async refund(
    orderId: string,
    amountCents: number | undefined,
    by: string,
  ): Promise<
    | { ok: true; refundId: string; amountCents: number; full: boolean; released: Released | null }
    | { ok: false; reason: 'status'; status: OrderStatus }
    | { ok: false; reason: 'amount'; remainingCents: number; currency: string }
    | { ok: false; reason: 'missing' }
  > {
    return this.sql.tx(async (q) => {
      const [o] = await q.query<{
        status: OrderStatus;
        total_cents: string;
        refunded_cents: string;
        currency: string;
      }>('SELECT status, total_cents, refunded_cents, currency FROM orders WHERE id = $1 FOR NO KEY UPDATE', [
        orderId,
      ]);
      if (!o) return { ok: false, reason: 'missing' };
      if (o.status !== 'paid' && o.status !== 'fulfilled')
        return { ok: false, reason: 'status', status: o.status };
      const remaining = Number(o.total_cents) - Number(o.refunded_cents);
      const amount = amountCents ?? remaining;
      if (remaining <= 0 || amount > remaining || amount <= 0) {
        return { ok: false, reason: 'amount', remainingCents: Math.max(0, remaining), currency: o.currency };
      }
      const full = amount === remaining && o.status === 'paid';
      let released: Released | null = null;
      if (full) {
        [released] = await this.releaseIn(q, [orderId], 'paid', 'refunded');
      } else {
        await q.query(
          'UPDATE orders SET refunded_cents = refunded_cents + $2, updated_at = now() WHERE id = $1',
          [orderId, amount],
        );
      }
      const [r] = await q.query<{ id: string }>(
        `INSERT INTO order_refunds (order_id, amount_cents, kind, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
        [orderId, amount, full ? 'full' : 'partial', by],
      );
      return { ok: true, refundId: r.id, amountCents: amount, full, released };
    });
  }

  async refunds(
    orderId: string,
  ): Promise<{ id: string; amountCents: number; full: boolean; createdAt: Date }[]> {
    const rows = await this.sql.query<{ id: string; amount_cents: string; kind: string; created_at: Date }>(
      'SELECT id, amount_cents, kind, created_at FROM order_refunds WHERE order_id = $1 ORDER BY created_at, id',
      [orderId],
    );
    return rows.map((r) => ({
      id: r.id,
      amountCents: Number(r.amount_cents),
      full: r.kind === 'full',
      createdAt: r.created_at,
    }));
  }
}
