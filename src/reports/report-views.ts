// Framework-free: the reports as the API answers them. The merchant's reports
// page reads them through `@shared/reports/report-views` (client-demo/src/api/types.ts).

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** What was sold: the figures of every report, in one currency. */
export interface Sales {
  gmvCents: number;
  paidCents: number;
  /** Paid minus refunded. */
  netCents: number;
  orders: number;
  units: number;
  buyers: number;
}

/** What a stream's audience bought. */
export interface Audience {
  /** GMV / orders, rounded to the minor unit; 0 without orders. */
  aovCents: number;
  peakViewers: number;
  uniqueViewers: number;
  /** buyers / unique viewers; null when the stream had no counted viewers. */
  conversion: number | null;
}

export interface GmvBucket extends Sales {
  start: string;
}

export interface GmvReport {
  merchantId: string;
  currency: string;
  timeZone: string;
  granularity: Granularity;
  from: string;
  to: string;
  streamId: string | null;
  productId: string | null;
  buckets: GmvBucket[];
}

export interface ProductLine extends Sales {
  productId: string;
  title: string | null;
  /** Seconds the product was pinned in this stream (all its pins). */
  pinnedSeconds: number;
  pins: number;
  /** GMV of this product from orders placed while it was the pinned product. */
  pinnedGmvCents: number;
  pinnedOrders: number;
  pinnedUnits: number;
}

export interface StreamReport extends Sales, Audience {
  streamId: string;
  title: string;
  status: string;
  merchantId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  currency: string;
  /** Every currency the stream sold in (the figures below are for `currency`). */
  currencies: string[];
  /** Every product sold or pinned in the stream, by GMV (highest first). */
  topProducts: ProductLine[];
}

/** A stream's final figures (StreamsSummaryController). */
export interface StreamSummary {
  streamId: string;
  title: string;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
  /** From start to end (or to now while live). */
  durationSeconds: number;
  peakViewers: number;
  uniqueViewers: number;
  likes: number;
  replay: { available: boolean; hlsUrl: string; posterUrl: string | null };
  /** Per currency sold in; null unless the caller is the streamer, the shop or an admin. */
  sales: (Sales & { currency: string })[] | null;
}

/** One line of the per-stream table. */
export type StreamRowReport = Omit<StreamReport, 'merchantId' | 'endedAt' | 'currencies' | 'topProducts'>;
