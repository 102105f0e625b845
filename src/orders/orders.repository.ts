import { Injectable } from '@nestjs/common';
import type { NewOrder, LockedPin, LockedProduct, StreamInfo } from './allocation';
import { HOLDING_STATUSES, type Order, type OrderItem, type OrderStatus } from './order.model';
import { Sql, type SqlRunner } from './sql';

/** What the reservation transaction read, locked, for `allocate` to decide on. */
export interface ReservationSnapshot {
  nowMs: number;
  streams: StreamInfo[];
  pins: LockedPin[];
  products: LockedProduct[];
  /** Orders already stored under one of the batch's (buyer, key) pairs. */
  existing: { id: string; buyerId: string; idempotencyKey: string; requestHash: string }[];
  /** Units held per pin and buyer (only for pins with a per-buyer limit). */
  usage: { pinId: string; buyerId: string; units: number }[];
}

export interface Written {
  /** Ids of the orders actually inserted (the others met a concurrent twin with the same key). */
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

const HOLDING = `('${HOLDING_STATUSES.join("','")}')`;

/**
 * Statements of the reservation transaction. Named, so each pooled
 * connection parses and plans them once. Lock order, everywhere in the
 * commerce code: streams, then pins by id, then products by id; the release
 * paths lock order rows first and then the same pins → products order, and
 * the reservation never waits on an existing order row, so no cycle exists.
 */
const Q = {
  streams: `SELECT (extract(epoch FROM now()) * 1000)::float8 AS now_ms, s.id, s.merchant_id, s.status,
      (extract(epoch FROM s.started_at) * 1000)::float8 AS started_ms
    FROM (SELECT 1) AS one LEFT JOIN streams s ON s.id = ANY($1::uuid[])`,
  pins: `SELECT id, stream_id, product_id, sale_price_cents, sale_remaining, per_buyer_limit,
      (extract(epoch FROM ends_at) * 1000)::float8 AS ends_ms
    FROM pins WHERE stream_id = ANY($1::uuid[]) AND unpinned_at IS NULL
    ORDER BY id FOR NO KEY UPDATE`,
  products: `SELECT id, merchant_id, title, price_cents, currency, stock
    FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
  existing: `SELECT o.id, o.buyer_id, o.idempotency_key, o.request_hash
    FROM orders o JOIN unnest($1::uuid[], $2::text[]) AS k(b, k)
      ON o.buyer_id = k.b AND o.idempotency_key = k.k`,
  usage: `SELECT pin_id, buyer_id, sum(pin_units)::int AS units FROM orders
    WHERE pin_id = ANY($1::uuid[]) AND buyer_id = ANY($2::uuid[]) AND status IN ${HOLDING}
    GROUP BY pin_id, buyer_id`,
  insertOrders: `INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents,
      idempotency_key, request_hash, stream_id, pin_id, stream_offset_ms, pin_units, sale_units, expires_at)
    SELECT u.id, u.b, u.m, 'pending_payment', u.c, u.t, u.k, u.h, u.s, u.p, u.off, u.pu, u.su,
      now() + make_interval(secs => $13)
    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[],
      $8::uuid[], $9::uuid[], $10::bigint[], $11::int[], $12::int[])
      AS u(id, b, m, c, t, k, h, s, p, off, pu, su)
    ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
    RETURNING id, created_at, expires_at`,
  insertItems: `INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents, sale)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::bool[])`,
  takeStock: `UPDATE products p SET stock = p.stock - d.q, updated_at = now()
    FROM unnest($1::uuid[], $2::int[]) AS d(id, q)
    WHERE p.id = d.id AND p.stock >= d.q RETURNING p.id`,
  takeSale: `UPDATE pins SET sale_remaining = sale_remaining - d.q
    FROM unnest($1::uuid[], $2::int[]) AS d(id, q)
    WHERE pins.id = d.id AND pins.sale_remaining >= d.q RETURNING pins.id`,
};

@Injectable()
export class OrdersRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Runs one reservation batch in one transaction: read and lock, let `decide`
   * allocate, write the orders and the guarded decrements. `decide` must be
   * pure with respect to the outside (it may run again if Postgres picks this
   * transaction as a deadlock victim).
   */
  reserve<T>(
    keys: { buyerId: string; idempotencyKey: string }[],
    streamIds: string[],
    productIds: string[],
    holdSeconds: number,
    decide: (snap: ReservationSnapshot) => { orders: NewOrder[]; state: T },
    afterInsert: (state: T, notInserted: NewOrder[]) => void,
  ): Promise<{ written: Written; state: T; orders: NewOrder[] }> {
    return this.sql.tx(async (q) => {
      const streamRows = await q.query<{
        now_ms: number;
        id: string | null;
        merchant_id: string | null;
        status: StreamInfo['status'];
        started_ms: number | null;
      }>({ name: 'lc_res_streams', text: Q.streams, values: [streamIds] });
      const nowMs = streamRows[0].now_ms;
      const pins =
        streamIds.length === 0
          ? []
          : await q.query<{
              id: string;
              stream_id: string;
              product_id: string;
              sale_price_cents: number | null;
              sale_remaining: number | null;
              per_buyer_limit: number | null;
              ends_ms: number | null;
            }>({ name: 'lc_res_pins', text: Q.pins, values: [streamIds] });
      const products = await q.query<{
        id: string;
        merchant_id: string;
        title: string;
        price_cents: number;
        currency: string;
        stock: number;
      }>({ name: 'lc_res_products', text: Q.products, values: [productIds] });
      const existing = await q.query<{
        id: string;
        buyer_id: string;
        idempotency_key: string;
        request_hash: string;
      }>({
        name: 'lc_res_existing',
        text: Q.existing,
        values: [keys.map((k) => k.buyerId), keys.map((k) => k.idempotencyKey)],
      });
      const limited = pins.filter((p) => p.per_buyer_limit !== null).map((p) => p.id);
      const usage =
        limited.length === 0
          ? []
          : await q.query<{ pin_id: string; buyer_id: string; units: number }>({
              name: 'lc_res_usage',
              text: Q.usage,
              values: [limited, [...new Set(keys.map((k) => k.buyerId))]],
            });

      const { orders, state } = decide({
        nowMs,
        streams: streamRows
          .filter((s) => s.id !== null)
          .map((s) => ({
            id: s.id!,
            merchantId: s.merchant_id,
            status: s.status,
            startedAtMs: s.started_ms,
          })),
        pins: pins.map((p) => ({
          id: p.id,
          streamId: p.stream_id,
          productId: p.product_id,
          salePriceCents: p.sale_price_cents,
          saleRemaining: p.sale_remaining,
          endsAtMs: p.ends_ms,
          perBuyerLimit: p.per_buyer_limit,
        })),
        products: products.map((p) => ({
          id: p.id,
          merchantId: p.merchant_id,
          title: p.title,
          priceCents: p.price_cents,
          currency: p.currency,
          stock: p.stock,
        })),
        existing: existing.map((e) => ({
          id: e.id,
          buyerId: e.buyer_id,
          idempotencyKey: e.idempotency_key,
          requestHash: e.request_hash,
        })),
        usage: usage.map((u) => ({ pinId: u.pin_id, buyerId: u.buyer_id, units: u.units })),
      });
      if (orders.length === 0) {
        return {
          written: { inserted: new Set(), createdAt: new Date(nowMs), expiresAt: new Date(nowMs) },
          state,
          orders,
        };
      }

      // Inserted in (buyer, key) order: two transactions that meet on several
      // keys wait on each other in the same order, never in a cycle.
      const sorted = [...orders].sort((a, b) =>
        a.buyerId === b.buyerId
          ? a.idempotencyKey < b.idempotencyKey
            ? -1
            : 1
          : a.buyerId < b.buyerId
            ? -1
            : 1,
      );
      const rows = await q.query<{ id: string; created_at: Date; expires_at: Date }>({
        name: 'lc_res_insert_orders',
        text: Q.insertOrders,
        values: [
          sorted.map((o) => o.id),
          sorted.map((o) => o.buyerId),
          sorted.map((o) => o.merchantId),
          sorted.map((o) => o.currency),
          sorted.map((o) => o.totalCents),
          sorted.map((o) => o.idempotencyKey),
          sorted.map((o) => o.requestHash),
          sorted.map((o) => o.streamId),
          sorted.map((o) => o.pinId),
          sorted.map((o) => o.streamOffsetMs),
          sorted.map((o) => o.pinUnits),
          sorted.map((o) => o.saleUnits),
          holdSeconds,
        ],
      });
      const inserted = new Set(rows.map((r) => r.id));
      const kept = orders.filter((o) => inserted.has(o.id));
      const notInserted = orders.filter((o) => !inserted.has(o.id));
      if (notInserted.length > 0) afterInsert(state, notInserted);
      if (kept.length === 0) {
        return {
          written: { inserted, createdAt: new Date(nowMs), expiresAt: new Date(nowMs) },
          state,
          orders,
        };
      }

      const itemCols: [string[], string[], string[], number[], number[], boolean[]] = [
        [],
        [],
        [],
        [],
        [],
        [],
      ];
      const stock = new Map<string, number>();
      const sale = new Map<string, number>();
      for (const o of kept) {
        for (const it of o.items) {
          itemCols[0].push(o.id);
          itemCols[1].push(it.productId);
          itemCols[2].push(it.title);
          itemCols[3].push(it.quantity);
          itemCols[4].push(it.unitPriceCents);
          itemCols[5].push(it.sale);
          stock.set(it.productId, (stock.get(it.productId) ?? 0) + it.quantity);
        }
        if (o.saleUnits > 0 && o.pinId) sale.set(o.pinId, (sale.get(o.pinId) ?? 0) + o.saleUnits);
      }
      await q.query({ name: 'lc_res_insert_items', text: Q.insertItems, values: itemCols });
      // Guarded decrements: the rows are locked and the amounts were decided from
      // their locked values, so the guard always holds; if it ever did not, the
      // row count differs and the whole batch rolls back instead of overselling.
      const took = await q.query({
        name: 'lc_res_take_stock',
        text: Q.takeStock,
        values: [[...stock.keys()], [...stock.values()]],
      });
      if (took.length !== stock.size) throw new Error('stock guard failed: reservation rolled back');
      if (sale.size > 0) {
        const tookSale = await q.query({
          name: 'lc_res_take_sale',
          text: Q.takeSale,
          values: [[...sale.keys()], [...sale.values()]],
        });
        if (tookSale.length !== sale.size)
          throw new Error('sale stock guard failed: reservation rolled back');
      }
      return {
        written: { inserted, createdAt: rows[0].created_at, expiresAt: rows[0].expires_at },
        state,
        orders,
      };
    });
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

  async findIdByKey(buyerId: string, idempotencyKey: string): Promise<string | null> {
    const rows = await this.sql.query<{ id: string }>(
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
