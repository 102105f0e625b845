import { randomUUID } from 'node:crypto';
import type { GmvBucket } from '../../src/reports/report-views';
import { createStream } from '../support/streams';
import type { TestApp, TestUser } from '../support/test-app';

/** Query string from defined values. */
export const qs = (p: Record<string, string | undefined>): string =>
  new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined)).toString();

/** A stream of `merchant` (its streamer is the merchant's linked streamer), with a past or running window. */
export async function stream(
  t: TestApp,
  merchant: TestUser,
  streamer: TestUser,
  opts: { title?: string; startedAt?: Date; endedAt?: Date | null; status?: 'live' | 'ended' } = {},
): Promise<string> {
  const { id } = await createStream(t, streamer, { title: opts.title ?? 'Show', merchantId: merchant.id });
  await t.sql(`UPDATE streams SET status = $2, started_at = $3, ended_at = $4 WHERE id = $1`, [
    id,
    opts.status ?? (opts.endedAt ? 'ended' : 'live'),
    opts.startedAt ?? new Date(Date.now() - 3600_000),
    opts.endedAt ?? null,
  ]);
  return id;
}

/** A pin row with an explicit window (what the pins API would have written). */
export async function pinAt(
  t: TestApp,
  streamId: string,
  productId: string,
  by: TestUser,
  pinnedAt: Date,
  unpinnedAt: Date | null,
): Promise<string> {
  const [r] = await t.sql<{ id: string }>(
    `INSERT INTO pins (stream_id, product_id, pinned_by, pinned_at, unpinned_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [streamId, productId, by.id, pinnedAt, unpinnedAt],
  );
  return r.id;
}

export interface PastOrder {
  buyer: TestUser;
  merchant: TestUser;
  at: Date;
  currency: string;
  lines: { productId: string; quantity: number; unitPriceCents: number }[];
  streamId?: string;
  pinId?: string;
  status?: 'pending_payment' | 'paid' | 'fulfilled' | 'expired' | 'cancelled' | 'refunded';
}

/**
 * Writes an order placed at a past moment the way the reservation does (one
 * INSERT for the order, one for its items), so the journal triggers fire as
 * on the live path; then moves it to `status` with one UPDATE, as the order
 * code's moves do. Its hold ends tomorrow, so the expiry sweep leaves it alone.
 */
export async function pastOrder(t: TestApp, o: PastOrder): Promise<string> {
  const id = randomUUID();
  const total = o.lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0);
  await t.sql(
    `INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key, request_hash,
       stream_id, pin_id, stream_offset_ms, created_at, expires_at)
     VALUES ($1::uuid, $2, $3, 'pending_payment', $4, $5, $1::text, 'h', $6, $7, $8, $9, now() + interval '1 day')`,
    [
      id,
      o.buyer.id,
      o.merchant.id,
      o.currency,
      total,
      o.streamId ?? null,
      o.pinId ?? null,
      o.streamId ? 1000 : null,
      o.at,
    ],
  );
  await t.sql(
    `INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents)
     SELECT $1, u.p, 'x', u.q, u.c FROM unnest($2::uuid[], $3::int[], $4::int[]) AS u(p, q, c)`,
    [
      id,
      o.lines.map((l) => l.productId),
      o.lines.map((l) => l.quantity),
      o.lines.map((l) => l.unitPriceCents),
    ],
  );
  const s = o.status ?? 'pending_payment';
  if (s === 'refunded') {
    await t.sql(`UPDATE orders SET status = 'paid', paid_at = created_at WHERE id = $1`, [id]);
  }
  if (s !== 'pending_payment') await t.sql(`UPDATE orders SET status = $2 WHERE id = $1`, [id, s]);
  return id;
}

export type Bucket = GmvBucket;

/** A bucket without orders, as the report lists it. */
export const emptyBucket = (start: string): Bucket => ({
  start,
  gmvCents: 0,
  paidCents: 0,
  netCents: 0,
  orders: 0,
  units: 0,
  buyers: 0,
});

/** The same report computed straight from `orders` (the definition the rollups must equal). */
export async function directBuckets(
  t: TestApp,
  f: {
    merchantId: string;
    currency: string;
    granularity: 'minute' | 'hour' | 'day';
    timeZone: string;
    from: string;
    to: string;
    streamId?: string;
    productId?: string;
  },
): Promise<Map<string, Bucket>> {
  const amount = f.productId ? 'i.quantity::bigint * i.unit_price_cents' : 'o.total_cents';
  const units = f.productId
    ? 'i.quantity'
    : '(SELECT sum(quantity) FROM order_items x WHERE x.order_id = o.id)';
  const rows = await t.sql<{
    start: Date;
    gmv: string;
    paid: string;
    refunded: string;
    orders: string;
    units: string;
    buyers: string;
  }>(
    `SELECT date_trunc('${f.granularity}', o.created_at AT TIME ZONE $3) AT TIME ZONE $3 AS start,
            sum(${amount}) AS gmv,
            coalesce(sum(${amount}) FILTER (WHERE o.status IN ('paid','fulfilled','refunded')), 0) AS paid,
            coalesce(sum(${amount}) FILTER (WHERE o.status = 'refunded'), 0) AS refunded,
            count(*) AS orders, sum(${units}) AS units, count(DISTINCT o.buyer_id) AS buyers
     FROM orders o ${f.productId ? 'JOIN order_items i ON i.order_id = o.id AND i.product_id = $7' : ''}
     WHERE o.merchant_id = $1 AND o.currency = $2 AND o.status <> 'expired'
       AND o.created_at >= date_trunc('${f.granularity}', $4::timestamptz AT TIME ZONE $3) AT TIME ZONE $3
       AND date_trunc('${f.granularity}', o.created_at AT TIME ZONE $3) AT TIME ZONE $3 < $5
       AND ($6::uuid IS NULL OR o.stream_id = $6)
       ${f.productId ? '' : 'AND $7::uuid IS NULL'}
     GROUP BY 1`,
    [f.merchantId, f.currency, f.timeZone, f.from, f.to, f.streamId ?? null, f.productId ?? null],
  );
  return new Map(
    rows.map((r) => [
      r.start.toISOString(),
      {
        start: r.start.toISOString(),
        gmvCents: Number(r.gmv),
        paidCents: Number(r.paid),
        netCents: Number(r.paid) - Number(r.refunded),
        orders: Number(r.orders),
        units: Number(r.units),
        buyers: Number(r.buyers),
      },
    ]),
  );
}

/** Every bucket of the API equals the direct sums, and buckets without orders are zero rows. */
export function expectSameBuckets(api: Bucket[], direct: Map<string, Bucket>): void {
  for (const b of api) {
    expect(b).toEqual(direct.get(b.start) ?? emptyBucket(b.start));
  }
  const starts = new Set(api.map((b) => b.start));
  for (const k of direct.keys()) expect(starts.has(k)).toBe(true);
}
