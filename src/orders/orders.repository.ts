import { Injectable } from '@nestjs/common';
import type { NewOrder, ReservationSnapshot } from './allocation';
import type { Order, OrderItem, OrderStatus } from './order.model';
import { type HeldConnection, Sql, type SqlRunner } from '../database/sql';

/** One request's answer from lc_reserve_orders (see the Commerce migration). */
export type ReserveResult =
  | {
      k: 'created';
      /** Merchant, currency, total, pin, pinned product, stream offset, pin units, sale units. */
      m: string;
      c: string;
      t: number;
      p: string | null;
      pp: string | null;
      off: number | null;
      pu: number;
      su: number;
      /** Per line, in the request's (sorted) line order. */
      units: number[];
      sales: boolean[];
      titles: string[];
    }
  | { k: 'replay'; id: string; h: string }
  | { k: 'twin'; of: number }
  | ({ k: 'refused' } & RefusalJson);

type ProductJson = { id: string; title: string; currency: string };
export type RefusalJson =
  | { code: 'unknown_stream' | 'stream_has_no_shop' }
  | { code: 'unknown_product'; product: string }
  | { code: 'mixed_currencies' | 'mixed_shops'; a: ProductJson; b: ProductJson }
  | { code: 'product_not_in_stream'; p: ProductJson }
  | { code: 'sold_out' | 'out_of_stock'; p: ProductJson; remaining: number }
  | { code: 'buyer_limit'; p: ProductJson; limit: number; used: number };

export interface ReserveAnswer {
  results: ReserveResult[];
  /** Orders actually inserted (a key stored meanwhile by another transaction makes its row skip). */
  inserted: Set<string>;
  createdAt: Date;
  expiresAt: Date;
}

/** Row versions (xmin) of what a snapshot read: the write goes ahead only if none changed. */
export interface RowVersions {
  pins: { id: string; version: string }[];
  products: { id: string; version: string }[];
}

/** What lc_reserve_write did. */
export interface WriteAnswer {
  /** False: a pin or product changed since the read; nothing was written. */
  current: boolean;
  /** Orders actually inserted (a key stored meanwhile by another transaction makes its row skip). */
  inserted: Set<string>;
  createdAt: Date;
  expiresAt: Date;
}

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

/**
 * Statements of the reservation transaction. Named, so each pooled
 * connection parses and plans them once. Lock order, everywhere in the
 * commerce code: streams, then pins by id, then products by id; the release
 * paths lock order rows first and then the same pins → products order, and
 * the reservation never waits on an existing order row, so no cycle exists.
 */
const RESERVE = `SELECT lc_reserve_orders($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[],
  $6::int[], $7::uuid[], $8::int[], $9::int) AS r`;

/** One array per field, for a statement that unnests rows from parallel arrays. */
function columns<T>(rows: T[], fields: ((r: T) => unknown)[]): unknown[][] {
  return fields.map((f) => rows.map(f));
}

const READ = `SELECT lc_reserve_read($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[]) AS r`;
const WRITE = `SELECT lc_reserve_write($1::uuid[], $2::text[], $3::uuid[], $4::text[],
  $5::uuid[], $6::uuid[], $7::uuid[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::uuid[],
  $13::uuid[], $14::bigint[], $15::int[], $16::int[],
  $17::uuid[], $18::uuid[], $19::text[], $20::int[], $21::int[], $22::boolean[], $23::float8, $24::int) AS w`;

@Injectable()
export class OrdersRepository {
  constructor(private readonly sql: Sql) {}

  /** A connection to keep between the statements of one reservation lane (see HeldConnection). */
  hold(): HeldConnection {
    return this.sql.hold();
  }

  /**
   * Reserves one batch in one statement (one round trip, autocommit): the
   * database function locks, decides, writes and commits; see the Commerce
   * migration. `ids` are the order ids to use, one per request.
   */
  async reserve(
    batch: {
      buyerId: string;
      idempotencyKey: string;
      requestHash: string;
      streamId: string | null;
      items: { productId: string; quantity: number }[];
    }[],
    ids: string[],
    holdSeconds: number,
    q: SqlRunner = this.sql,
  ): Promise<ReserveAnswer> {
    // Each line names its request by position (1-based), as lc_reserve_orders reads them.
    const items = batch.flatMap((r, i) => r.items.map((it) => ({ request: i + 1, ...it })));
    const [row] = await q.query<{
      r: {
        results: ReserveResult[];
        inserted: string[];
        created_at?: string;
        expires_at?: string;
        now: number;
      };
    }>({
      name: 'lc_reserve_orders',
      text: RESERVE,
      values: [
        ids,
        ...columns(batch, [
          (r) => r.buyerId,
          (r) => r.idempotencyKey,
          (r) => r.requestHash,
          (r) => r.streamId,
        ]),
        ...columns(items, [(i) => i.request, (i) => i.productId, (i) => i.quantity]),
        holdSeconds,
      ],
    });
    const r = row.r;
    const now = new Date(r.now);
    return {
      results: r.results,
      inserted: new Set(r.inserted),
      createdAt: r.created_at ? new Date(r.created_at) : now,
      expiresAt: r.expires_at ? new Date(r.expires_at) : now,
    };
  }

  /**
   * What a batch needs to be decided, read without locks, with the row
   * versions the write will check (lc_reserve_read, OptimisticReservation
   * migration). One round trip.
   */
  async readForReservation(
    batch: {
      buyerId: string;
      idempotencyKey: string;
      streamId: string | null;
      items: { productId: string }[];
    }[],
    q: SqlRunner = this.sql,
  ): Promise<{ snapshot: ReservationSnapshot; versions: RowVersions }> {
    const streams = new Set<string>();
    const products = new Set<string>();
    for (const r of batch) {
      if (r.streamId !== null) streams.add(r.streamId);
      for (const it of r.items) products.add(it.productId);
    }
    type Versioned<T> = T & { version: string };
    const [row] = await q.query<{
      r: Omit<ReservationSnapshot, 'pins' | 'products'> & {
        pins: Versioned<ReservationSnapshot['pins'][number]>[];
        products: Versioned<ReservationSnapshot['products'][number]>[];
      };
    }>({
      name: 'lc_reserve_read',
      text: READ,
      values: [
        [...streams],
        [...products],
        batch.map((r) => r.buyerId),
        batch.map((r) => r.idempotencyKey),
        batch.map((r) => r.streamId),
      ],
    });
    const r = row.r;
    return {
      snapshot: {
        nowMs: r.nowMs,
        streams: r.streams,
        pins: r.pins.map(({ version: _v, ...p }) => p),
        products: r.products.map(({ version: _v, ...p }) => p),
        existing: r.existing,
        usage: r.usage,
      },
      versions: {
        pins: r.pins.map((p) => ({ id: p.id, version: p.version })),
        products: r.products.map((p) => ({ id: p.id, version: p.version })),
      },
    };
  }

  /**
   * Writes decided orders, their items and the units they take, if the rows
   * they were decided from are unchanged (lc_reserve_write). One statement,
   * autocommit: the row locks live only inside it.
   */
  async writeReservation(
    orders: NewOrder[],
    versions: RowVersions,
    decidedAtMs: number,
    holdSeconds: number,
    q: SqlRunner = this.sql,
  ): Promise<WriteAnswer> {
    const items = orders.flatMap((n) => n.items.map((it) => ({ orderId: n.id, ...it })));
    const [row] = await q.query<{
      w: { current: boolean; inserted: string[]; createdAt: string; expiresAt: string };
    }>({
      name: 'lc_reserve_write',
      text: WRITE,
      values: [
        ...columns(versions.pins, [(v) => v.id, (v) => v.version]),
        ...columns(versions.products, [(v) => v.id, (v) => v.version]),
        ...columns(orders, [
          (n) => n.id,
          (n) => n.buyerId,
          (n) => n.merchantId,
          (n) => n.currency,
          (n) => n.totalCents,
          (n) => n.idempotencyKey,
          (n) => n.requestHash,
          (n) => n.streamId,
          (n) => n.pinId,
          (n) => n.streamOffsetMs,
          (n) => n.pinUnits,
          (n) => n.saleUnits,
        ]),
        ...columns(items, [
          (i) => i.orderId,
          (i) => i.productId,
          (i) => i.title,
          (i) => i.quantity,
          (i) => i.unitPriceCents,
          (i) => i.sale,
        ]),
        decidedAtMs,
        holdSeconds,
      ],
    });
    const w = row.w;
    return {
      current: w.current,
      inserted: new Set(w.inserted),
      createdAt: new Date(w.createdAt),
      expiresAt: new Date(w.expiresAt),
    };
  }

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

  async list(f: {
    buyerId?: string;
    merchantId?: string;
    streamId?: string;
    status?: OrderStatus;
    limit: number;
    offset: number;
  }): Promise<{ items: Order[]; total: number }> {
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
    const rows = await this.sql.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o ${w} ORDER BY o.created_at DESC, o.id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return { items: rows.map(toOrder), total: Number(count.n) };
  }

  async findIdByKey(
    buyerId: string,
    idempotencyKey: string,
    q: SqlRunner = this.sql,
  ): Promise<string | null> {
    const rows = await q.query<{ id: string }>(
      'SELECT id FROM orders WHERE buyer_id = $1 AND idempotency_key = $2',
      [buyerId, idempotencyKey],
    );
    return rows[0]?.id ?? null;
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
    return this.sql.tx(async (q) => {
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
        `UPDATE orders SET status = $3, closed_at = now(), updated_at = now()
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
    });
  }
}
