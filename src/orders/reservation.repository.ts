import { Injectable } from '@nestjs/common';
import { type HeldConnection, Sql, type SqlRunner } from '../database/sql';
import type { NewOrder, ReservationSnapshot, ReserveRequest } from './allocation';

/** Row versions (xmin) of what a snapshot read: the write goes ahead only if none changed. */
export interface RowVersions {
  pins: { id: string; version: string }[];
  products: { id: string; version: string }[];
}

/** What a batch is decided from, and the versions its write checks. */
export interface ReservationRead {
  snapshot: ReservationSnapshot;
  versions: RowVersions;
  /** Which of the batch's `confirmBuyer` buyers exist. */
  buyersFound: Set<string>;
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

type BatchKeys = Pick<ReserveRequest, 'buyerId' | 'idempotencyKey' | 'streamId' | 'items' | 'confirmBuyer'>;

/**
 * The buyers to confirm ride along: a signed-in buyer this replica has not
 * seen lately is checked here rather than by a lookup of its own ahead of
 * the batch (see @ConfirmsUser).
 */
const READ = `SELECT lc_reserve_read($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[]) AS r,
  ARRAY(SELECT u.id FROM users u WHERE u.id = ANY($6::uuid[])) AS buyers`;
/** The orders go as JSON rows of NewOrder's shape (lc_reserve_write names its fields). */
const WRITE = `SELECT lc_reserve_write($1::json, $2::json, $3::float8, $4::int) AS w`;

/**
 * The reservation's statements (lc_reserve_read and lc_reserve_write; see
 * their files under src/database/functions). Named, so each pooled
 * connection parses and plans them once. Lock order, everywhere in the
 * commerce code: pins by id, then products by id; the release paths lock
 * order rows first and then the same pins → products order, and a
 * reservation never waits on an existing order row, so no cycle exists.
 */
@Injectable()
export class ReservationRepository {
  constructor(private readonly sql: Sql) {}

  /** The default runner: a pooled connection per statement. */
  get pool(): Sql {
    return this.sql;
  }

  /** A connection to keep between the statements of one reservation lane (see HeldConnection). */
  hold(): HeldConnection {
    return this.sql.hold();
  }

  /**
   * What a batch needs to be decided, read without locks, with the row
   * versions the write will check. One round trip.
   */
  async read(batch: BatchKeys[], q: SqlRunner): Promise<ReservationRead> {
    const { streams, products } = touched(batch);
    type Versioned<T> = T & { version: string };
    const [row] = await q.query<{
      r: Omit<ReservationSnapshot, 'pins' | 'products'> & {
        pins: Versioned<ReservationSnapshot['pins'][number]>[];
        products: Versioned<ReservationSnapshot['products'][number]>[];
      };
      buyers: string[];
    }>({
      name: 'lc_reserve_read',
      text: READ,
      values: [
        streams,
        products,
        batch.map((r) => r.buyerId),
        batch.map((r) => r.idempotencyKey),
        batch.map((r) => r.streamId),
        batch.filter((r) => r.confirmBuyer).map((r) => r.buyerId),
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
      buyersFound: new Set(row.buyers),
    };
  }

  /**
   * Locks, inside the caller's transaction, every row a batch's decision
   * depends on and its write changes: the current pins of its streams, then
   * its products, each by id. A read after this cannot be overtaken.
   */
  async lock(batch: BatchKeys[], q: SqlRunner): Promise<void> {
    const { streams, products } = touched(batch);
    if (streams.length > 0) {
      await q.query({
        name: 'lc_reserve_lock_pins',
        text: `SELECT id FROM pins WHERE stream_id = ANY($1::uuid[]) AND unpinned_at IS NULL
               ORDER BY id FOR NO KEY UPDATE`,
        values: [streams],
      });
    }
    await q.query({
      name: 'lc_reserve_lock_products',
      text: 'SELECT id FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE',
      values: [products],
    });
  }

  /**
   * Writes decided orders, their items and the units they take, if the rows
   * they were decided from are unchanged. One statement: outside a
   * transaction, the row locks live only inside it.
   */
  async write(
    orders: NewOrder[],
    versions: RowVersions,
    decidedAtMs: number,
    holdSeconds: number,
    q: SqlRunner,
  ): Promise<WriteAnswer> {
    const [row] = await q.query<{
      w: { current: boolean; inserted: string[]; createdAt: string; expiresAt: string };
    }>({
      name: 'lc_reserve_write',
      text: WRITE,
      values: [JSON.stringify(versions), JSON.stringify(orders), decidedAtMs, holdSeconds],
    });
    const w = row.w;
    return {
      current: w.current,
      inserted: new Set(w.inserted),
      createdAt: new Date(w.createdAt),
      expiresAt: new Date(w.expiresAt),
    };
  }

  /** The order stored under a buyer's key, if any. */
  async findIdByKey(buyerId: string, idempotencyKey: string, q: SqlRunner): Promise<string | null> {
    const rows = await q.query<{ id: string }>(
      'SELECT id FROM orders WHERE buyer_id = $1 AND idempotency_key = $2',
      [buyerId, idempotencyKey],
    );
    return rows[0]?.id ?? null;
  }
}

/** The distinct streams and products a batch touches. */
function touched(batch: BatchKeys[]): { streams: string[]; products: string[] } {
  const streams = new Set<string>();
  const products = new Set<string>();
  for (const r of batch) {
    if (r.streamId !== null) streams.add(r.streamId);
    for (const it of r.items) products.add(it.productId);
  }
  return { streams: [...streams], products: [...products] };
}
