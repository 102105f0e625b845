import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Sql, type SqlRunner } from '../database/sql';
import { GRAIN } from './report-range';
import type { Granularity } from './report-views';

/** "All streams" / "all products" in a rollup key. */
export const ALL = '00000000-0000-0000-0000-000000000000';

/** Advisory lock key shared with `reports_fold()`: one folder or rebuild at a time. */
const FOLD_LOCK = 7638003;

export interface Totals {
  gmvCents: number;
  paidCents: number;
  refundedCents: number;
  orders: number;
  units: number;
  buyers: number;
}

export interface BucketRow extends Totals {
  start: Date;
}

export interface FoldedRow {
  orderId: string;
  status: string;
  sign: number;
  op: 'created' | 'moved' | 'refund';
  /** The partial refund a `refund` row stands for. */
  refundId: string | null;
}

export interface StreamRow {
  id: string;
  title: string;
  status: string;
  ownerId: string;
  merchantId: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** A stream as its summary shows it: who runs it, when, and whether its replay is kept. */
export interface StreamSummaryRow extends StreamRow {
  reconnecting: boolean;
  replayReady: boolean;
  peakViewers: number;
  uniqueViewers: number;
  likes: number;
}

interface TotalsRow {
  gmv_cents: string;
  paid_cents: string;
  refunded_cents: string;
  orders: number;
  units: string;
  buyers: number;
}

const totals = (r: TotalsRow): Totals => ({
  gmvCents: Number(r.gmv_cents),
  paidCents: Number(r.paid_cents),
  refundedCents: Number(r.refunded_cents),
  orders: Number(r.orders),
  units: Number(r.units),
  buyers: Number(r.buyers),
});

const UNIT: Record<Granularity, string> = { minute: 'minute', hour: 'hour', day: 'day' };

/** Rollup reads, the journal folder and per-merchant settings. Plain SQL (functions in src/database/functions). */
@Injectable()
export class ReportsRepository {
  private readonly pool: Pool;

  constructor(
    private readonly sql: Sql,
    ds: DataSource,
  ) {
    this.pool = (ds.driver as PostgresDriver).master as Pool;
  }

  /** The highest sequence number in the order journal (0 when it is empty): it rises while orders are journaled. */
  async journalHead(): Promise<number> {
    const [row] = await this.sql.query<{ head: string }>(
      'SELECT coalesce(max(seq), 0)::text AS head FROM report_journal',
    );
    return Number(row.head);
  }

  /** Drains up to `limit` journal rows into the rollups, in one transaction; returns them. */
  async fold(limit: number, inTx?: (rows: FoldedRow[], q: SqlRunner) => Promise<void>): Promise<FoldedRow[]> {
    return this.sql.tx(async (q) => {
      const rows = await q.query<{
        order_id: string;
        status: string;
        sign: number;
        op: FoldedRow['op'];
        refund_id: string | null;
      }>('SELECT * FROM reports_fold($1)', [limit]);
      const out = rows.map((r) => ({
        orderId: r.order_id,
        status: r.status,
        sign: r.sign,
        op: r.op,
        refundId: r.refund_id,
      }));
      if (inTx && out.length > 0) await inTx(out, q);
      return out;
    });
  }

  /**
   * Recomputes one merchant's rollups from its orders (time-zone change).
   * REPEATABLE READ under the folder's lock held as a session lock (taken
   * before the snapshot): the journal rows it drops are exactly the order
   * changes its snapshot sees.
   */
  async rebuild(merchantId: string, timeZone?: string): Promise<void> {
    const c = await this.pool.connect();
    let broken = false;
    try {
      await c.query('SELECT pg_advisory_lock($1)', [FOLD_LOCK]);
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        try {
          if (timeZone !== undefined) {
            await c.query(
              `INSERT INTO merchant_settings (merchant_id, time_zone) VALUES ($1, $2)
               ON CONFLICT (merchant_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now()`,
              [merchantId, timeZone],
            );
          }
          await c.query('SELECT reports_rebuild($1)', [merchantId]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw e;
        }
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [FOLD_LOCK]);
      }
    } catch (e) {
      broken = true;
      throw e;
    } finally {
      c.release(broken);
    }
  }

  async timeZone(merchantId: string): Promise<string> {
    const rows = await this.sql.query<{ time_zone: string }>(
      'SELECT time_zone FROM merchant_settings WHERE merchant_id = $1',
      [merchantId],
    );
    return rows[0]?.time_zone ?? 'UTC';
  }

  /** Whether Postgres knows the zone (its tz database may differ slightly from the runtime's). */
  async postgresKnowsZone(tz: string): Promise<boolean> {
    const rows = await this.sql.query('SELECT 1 FROM pg_timezone_names WHERE name = $1', [tz]);
    return rows.length > 0;
  }

  /** Currencies with sales in the range (for one series), then any the merchant ever sold or lists. */
  async currencies(
    merchantId: string,
    granularity: Granularity,
    streamKey: string,
    productKey: string,
    from: Date,
    to: Date,
    timeZone: string,
  ): Promise<{ inRange: string[]; fallback: string | null }> {
    const inRange = await this.sql.query<{ currency: string }>(
      `SELECT DISTINCT currency FROM report_rollups
       WHERE merchant_id = $1 AND grain = $2 AND stream_key = $3 AND product_key = $4
         AND bucket >= date_trunc('${UNIT[granularity]}', $5::timestamptz AT TIME ZONE $7) AT TIME ZONE $7
         AND bucket < $6 AND orders <> 0 ORDER BY currency`,
      [merchantId, GRAIN[granularity], streamKey, productKey, from, to, timeZone],
    );
    const fallback = await this.sql.query<{ currency: string }>(
      `SELECT currency FROM (
         SELECT currency, 0 AS rank FROM products WHERE merchant_id = $1
         UNION ALL SELECT DISTINCT currency, 1 FROM report_rollups WHERE merchant_id = $1 AND grain = 3
       ) c ORDER BY rank, currency LIMIT 1`,
      [merchantId],
    );
    return { inRange: inRange.map((r) => r.currency), fallback: fallback[0]?.currency ?? null };
  }

  /** One series of buckets in the merchant's zone, with a zero row for every empty bucket. */
  async series(f: {
    merchantId: string;
    granularity: Granularity;
    streamKey: string;
    productKey: string;
    currency: string;
    from: Date;
    to: Date;
    timeZone: string;
  }): Promise<BucketRow[]> {
    const unit = UNIT[f.granularity];
    const rows = await this.sql.query<TotalsRow & { start: Date }>(
      `WITH s AS (
         SELECT DISTINCT (g AT TIME ZONE $8) AS start
         FROM generate_series(date_trunc('${unit}', $6::timestamptz AT TIME ZONE $8),
                              $7::timestamptz AT TIME ZONE $8, interval '1 ${unit}') AS g
       )
       SELECT s.start,
              coalesce(r.gmv_cents, 0) AS gmv_cents, coalesce(r.paid_cents, 0) AS paid_cents,
              coalesce(r.refunded_cents, 0) AS refunded_cents, coalesce(r.orders, 0) AS orders,
              coalesce(r.units, 0) AS units, coalesce(r.buyers, 0) AS buyers
       FROM s LEFT JOIN report_rollups r
         ON r.merchant_id = $1 AND r.grain = $2 AND r.stream_key = $3 AND r.product_key = $4
        AND r.currency = $5 AND r.bucket = s.start
       WHERE s.start < $7
       ORDER BY s.start`,
      [f.merchantId, GRAIN[f.granularity], f.streamKey, f.productKey, f.currency, f.from, f.to, f.timeZone],
    );
    return rows.map((r) => ({ start: r.start, ...totals(r) }));
  }

  /** Whole-stream rollups (grain 0) and pinned-product rollups (grain 4), per product and currency. */
  async streamRollups(
    merchantId: string,
    streamId: string,
  ): Promise<{ grain: number; productKey: string; currency: string; totals: Totals }[]> {
    const rows = await this.sql.query<TotalsRow & { grain: number; product_key: string; currency: string }>(
      `SELECT grain, product_key, currency, gmv_cents, paid_cents, refunded_cents, orders, units, buyers
       FROM report_rollups
       WHERE merchant_id = $1 AND grain IN (0, 4) AND stream_key = $2`,
      [merchantId, streamId],
    );
    return rows.map((r) => ({
      grain: Number(r.grain),
      productKey: r.product_key,
      currency: r.currency,
      totals: totals(r),
    }));
  }

  /** Per product pinned in the stream: pins and seconds on screen (an open pin counts until the end or now). */
  async airtime(streamId: string): Promise<{ productId: string; pins: number; seconds: number }[]> {
    const rows = await this.sql.query<{ product_id: string; pins: number; seconds: number }>(
      `SELECT p.product_id, count(*)::int AS pins,
              coalesce(sum(extract(epoch FROM greatest(
                least(coalesce(p.unpinned_at, s.ended_at, now()), coalesce(s.ended_at, 'infinity')) - p.pinned_at,
                interval '0'))), 0)::float8 AS seconds
       FROM pins p JOIN streams s ON s.id = p.stream_id
       WHERE p.stream_id = $1 GROUP BY p.product_id`,
      [streamId],
    );
    return rows.map((r) => ({
      productId: r.product_id,
      pins: r.pins,
      seconds: Math.round(Number(r.seconds)),
    }));
  }

  async titles(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.sql.query<{ id: string; title: string }>(
      'SELECT id, title FROM products WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  /** One stream with its audience figures (no row: undefined stream). */
  async stream(id: string): Promise<StreamSummaryRow | null> {
    const rows = await this.sql.query<{
      id: string;
      title: string;
      status: string;
      owner_id: string;
      merchant_id: string | null;
      started_at: Date | null;
      ended_at: Date | null;
      reconnect_deadline: Date | null;
      replay_ready: boolean;
      peak_viewers: number | null;
      unique_viewers: number | null;
      likes: string | null;
    }>(
      `SELECT s.id, s.title, s.status, s.owner_id, s.merchant_id, s.started_at, s.ended_at, s.reconnect_deadline,
              s.replay_ready, st.peak_viewers, st.unique_viewers, st.likes
       FROM streams s LEFT JOIN stream_stats st ON st.stream_id = s.id WHERE s.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      title: r.title,
      status: r.status,
      ownerId: r.owner_id,
      merchantId: r.merchant_id,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      reconnecting: r.status === 'live' && r.reconnect_deadline !== null,
      replayReady: r.replay_ready,
      peakViewers: r.peak_viewers ?? 0,
      uniqueViewers: r.unique_viewers ?? 0,
      likes: Number(r.likes ?? 0),
    };
  }

  async viewers(streamId: string): Promise<{ peak: number; unique: number }> {
    const rows = await this.sql.query<{ peak_viewers: number; unique_viewers: number }>(
      'SELECT peak_viewers, unique_viewers FROM stream_stats WHERE stream_id = $1',
      [streamId],
    );
    return { peak: rows[0]?.peak_viewers ?? 0, unique: rows[0]?.unique_viewers ?? 0 };
  }

  /** Whole-stream totals per currency, for the live ticker. */
  async streamTotals(streamIds: string[]): Promise<{ streamId: string; currency: string; totals: Totals }[]> {
    if (streamIds.length === 0) return [];
    const rows = await this.sql.query<TotalsRow & { stream_key: string; currency: string }>(
      `SELECT stream_key, currency, gmv_cents, paid_cents, refunded_cents, orders, units, buyers
       FROM report_rollups r JOIN streams s ON s.id = r.stream_key AND r.merchant_id = s.merchant_id
       WHERE r.stream_key = ANY($1::uuid[]) AND r.grain = 0 AND r.product_key = '${ALL}'`,
      [streamIds],
    );
    return rows.map((r) => ({ streamId: r.stream_key, currency: r.currency, totals: totals(r) }));
  }

  async streamsOfOrders(orderIds: string[]): Promise<string[]> {
    if (orderIds.length === 0) return [];
    const rows = await this.sql.query<{ stream_id: string }>(
      'SELECT DISTINCT stream_id FROM orders WHERE id = ANY($1::uuid[]) AND stream_id IS NOT NULL',
      [orderIds],
    );
    return rows.map((r) => r.stream_id);
  }

  /** The merchant's streams, newest first, with whole-stream totals per currency and audience numbers. */
  async streamList(
    merchantId: string,
    limit: number,
  ): Promise<
    {
      id: string;
      title: string;
      status: string;
      startedAt: Date | null;
      peak: number;
      unique: number;
      byCurrency: { currency: string; totals: Totals }[];
    }[]
  > {
    const rows = await this.sql.query<{
      id: string;
      title: string;
      status: string;
      started_at: Date | null;
      peak: number;
      uniq: number;
      totals: (TotalsRow & { currency: string })[] | null;
    }>(
      `SELECT s.id, s.title, s.status, s.started_at,
              coalesce(st.peak_viewers, 0) AS peak, coalesce(st.unique_viewers, 0) AS uniq,
              (SELECT json_agg(json_build_object('currency', r.currency, 'gmv_cents', r.gmv_cents,
                 'paid_cents', r.paid_cents, 'refunded_cents', r.refunded_cents, 'orders', r.orders,
                 'units', r.units, 'buyers', r.buyers) ORDER BY r.currency)
               FROM report_rollups r
               WHERE r.merchant_id = $1 AND r.grain = 0 AND r.stream_key = s.id AND r.product_key = '${ALL}'
                 AND r.orders <> 0) AS totals
       FROM streams s LEFT JOIN stream_stats st ON st.stream_id = s.id
       WHERE s.merchant_id = $1
       ORDER BY s.started_at DESC NULLS LAST, s.created_at DESC LIMIT $2`,
      [merchantId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      startedAt: r.started_at,
      peak: r.peak,
      unique: r.uniq,
      byCurrency: (r.totals ?? []).map((x) => ({ currency: x.currency.trim(), totals: totals(x) })),
    }));
  }
}
