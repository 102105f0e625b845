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
  /**
   * Everything the decision needs, in one round trip: the current pins of the
   * batch's streams and its products, locked (pins first, each set in id
   * order: the LockRows node sits above the sort), the streams, the stored
   * idempotency keys, and the database clock. Locked rows come back in their
   * latest committed version (READ COMMITTED re-reads a row it waited for).
   */
  read: `WITH lp AS MATERIALIZED (
      SELECT id, stream_id, product_id, sale_price_cents, sale_remaining, per_buyer_limit,
        (extract(epoch FROM ends_at) * 1000)::float8 AS ends_ms
      FROM pins WHERE stream_id = ANY($1::uuid[]) AND unpinned_at IS NULL
      ORDER BY id FOR NO KEY UPDATE),
    lpr AS MATERIALIZED (
      SELECT id, merchant_id, title, price_cents, currency, stock
      FROM products WHERE id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE)
    SELECT (extract(epoch FROM now()) * 1000)::float8 AS now_ms,
      (SELECT coalesce(json_agg(lp), '[]') FROM lp) AS pins,
      (SELECT coalesce(json_agg(lpr), '[]') FROM lpr) AS products,
      (SELECT coalesce(json_agg(json_build_object('id', s.id, 'merchant_id', s.merchant_id, 'status', s.status,
          'started_ms', (extract(epoch FROM s.started_at) * 1000)::float8)), '[]')
        FROM streams s WHERE s.id = ANY($1::uuid[])) AS streams,
      (SELECT coalesce(json_agg(json_build_object('id', o.id, 'buyer_id', o.buyer_id,
          'idempotency_key', o.idempotency_key, 'request_hash', o.request_hash)), '[]')
        FROM orders o JOIN unnest($3::uuid[], $4::text[]) AS k(b, k)
          ON o.buyer_id = k.b AND o.idempotency_key = k.k) AS existing`,
  /**
   * Units buyers hold through limited pins. A statement of its own, run after
   * the pin locks are held, so its snapshot includes every order committed by
   * the previous holder of the lock (a snapshot taken before waiting would not).
   */
  usage: `SELECT pin_id, buyer_id, sum(pin_units)::int AS units FROM orders
    WHERE pin_id = ANY($1::uuid[]) AND buyer_id = ANY($2::uuid[]) AND status IN ${HOLDING}
    GROUP BY pin_id, buyer_id`,
  /**
   * Every write of the batch in one statement: the orders (a key met
   * concurrently elsewhere makes its row skip), the items of the orders that
   * went in, and the guarded decrements summed from those items only. The
   * final row reports how many counters each guard let through; anything
   * short of all of them rolls the transaction back.
   */
  write: `WITH o AS (
      INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key,
        request_hash, stream_id, pin_id, stream_offset_ms, pin_units, sale_units, expires_at)
      SELECT u.id, u.b, u.m, 'pending_payment', u.c, u.t, u.k, u.h, u.s, u.p, u.off, u.pu, u.su,
        now() + make_interval(secs => $13)
      FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[],
        $8::uuid[], $9::uuid[], $10::bigint[], $11::int[], $12::int[])
        AS u(id, b, m, c, t, k, h, s, p, off, pu, su)
      ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
      RETURNING id, pin_id, sale_units, created_at, expires_at),
    it AS (
      INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents, sale)
      SELECT i.o, i.p, i.t, i.q, i.u, i.s
      FROM unnest($14::uuid[], $15::uuid[], $16::text[], $17::int[], $18::int[], $19::bool[]) AS i(o, p, t, q, u, s)
      WHERE i.o IN (SELECT id FROM o)
      RETURNING product_id, quantity),
    want AS (SELECT product_id, sum(quantity)::int AS q FROM it GROUP BY product_id),
    took AS (
      UPDATE products p SET stock = p.stock - w.q, updated_at = now()
      FROM want w WHERE p.id = w.product_id AND p.stock >= w.q RETURNING p.id),
    want_sale AS (SELECT pin_id, sum(sale_units)::int AS q FROM o WHERE sale_units > 0 GROUP BY pin_id),
    took_sale AS (
      UPDATE pins SET sale_remaining = pins.sale_remaining - w.q
      FROM want_sale w WHERE pins.id = w.pin_id AND pins.sale_remaining >= w.q RETURNING pins.id)
    SELECT (SELECT coalesce(array_agg(id), '{}') FROM o) AS inserted,
      (SELECT min(created_at) FROM o) AS created_at, (SELECT min(expires_at) FROM o) AS expires_at,
      (SELECT count(*) FROM want)::int AS want, (SELECT count(*) FROM took)::int AS took,
      (SELECT count(*) FROM want_sale)::int AS want_sale, (SELECT count(*) FROM took_sale)::int AS took_sale`,
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
      const [r] = await q.query<{
        now_ms: number;
        pins: {
          id: string;
          stream_id: string;
          product_id: string;
          sale_price_cents: number | null;
          sale_remaining: number | null;
          per_buyer_limit: number | null;
          ends_ms: number | null;
        }[];
        products: {
          id: string;
          merchant_id: string;
          title: string;
          price_cents: number;
          currency: string;
          stock: number;
        }[];
        streams: {
          id: string;
          merchant_id: string | null;
          status: StreamInfo['status'];
          started_ms: number | null;
        }[];
        existing: { id: string; buyer_id: string; idempotency_key: string; request_hash: string }[];
      }>({
        name: 'lc_res_read',
        text: Q.read,
        values: [streamIds, productIds, keys.map((k) => k.buyerId), keys.map((k) => k.idempotencyKey)],
      });
      const limited = r.pins.filter((p) => p.per_buyer_limit !== null).map((p) => p.id);
      const usage =
        limited.length === 0
          ? []
          : await q.query<{ pin_id: string; buyer_id: string; units: number }>({
              name: 'lc_res_usage',
              text: Q.usage,
              values: [limited, [...new Set(keys.map((k) => k.buyerId))]],
            });

      const { orders, state } = decide({
        nowMs: r.now_ms,
        streams: r.streams.map((s) => ({
          id: s.id,
          merchantId: s.merchant_id,
          status: s.status,
          startedAtMs: s.started_ms,
        })),
        pins: r.pins.map((p) => ({
          id: p.id,
          streamId: p.stream_id,
          productId: p.product_id,
          salePriceCents: p.sale_price_cents,
          saleRemaining: p.sale_remaining,
          endsAtMs: p.ends_ms,
          perBuyerLimit: p.per_buyer_limit,
        })),
        products: r.products.map((p) => ({
          id: p.id,
          merchantId: p.merchant_id,
          title: p.title,
          priceCents: p.price_cents,
          currency: p.currency,
          stock: p.stock,
        })),
        existing: r.existing.map((e) => ({
          id: e.id,
          buyerId: e.buyer_id,
          idempotencyKey: e.idempotency_key,
          requestHash: e.request_hash,
        })),
        usage: usage.map((u) => ({ pinId: u.pin_id, buyerId: u.buyer_id, units: u.units })),
      });
      const nothing = {
        inserted: new Set<string>(),
        createdAt: new Date(r.now_ms),
        expiresAt: new Date(r.now_ms),
      };
      if (orders.length === 0) return { written: nothing, state, orders };

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
      const items: [string[], string[], string[], number[], number[], boolean[]] = [[], [], [], [], [], []];
      for (const o of sorted) {
        for (const it of o.items) {
          items[0].push(o.id);
          items[1].push(it.productId);
          items[2].push(it.title);
          items[3].push(it.quantity);
          items[4].push(it.unitPriceCents);
          items[5].push(it.sale);
        }
      }
      const [w] = await q.query<{
        inserted: string[];
        created_at: Date | null;
        expires_at: Date | null;
        want: number;
        took: number;
        want_sale: number;
        took_sale: number;
      }>({
        name: 'lc_res_write',
        text: Q.write,
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
          ...items,
        ],
      });
      // The rows are locked and the amounts were decided from their locked
      // values, so every guard holds; if one ever did not, the counts differ and
      // the whole batch rolls back instead of overselling.
      if (w.took !== w.want || w.took_sale !== w.want_sale) {
        throw new Error('stock guard failed: reservation rolled back');
      }
      const inserted = new Set(w.inserted);
      const notInserted = orders.filter((o) => !inserted.has(o.id));
      if (notInserted.length > 0) afterInsert(state, notInserted);
      if (inserted.size === 0) return { written: nothing, state, orders };
      return { written: { inserted, createdAt: w.created_at!, expiresAt: w.expires_at! }, state, orders };
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
