import { randomUUID } from 'node:crypto';
import { ConflictError, DomainError, UnprocessableError } from '../common/errors/domain-errors';
import type { OrderItem } from './order.model';

/** The refusals of an order request, one constructor each. */
export const Refusal = {
  unknownStream: (streamId: string) =>
    new UnprocessableError(`Stream ${streamId} does not exist`, 'unknown_stream'),
  streamHasNoShop: (streamId: string) =>
    new UnprocessableError(`Stream ${streamId} does not sell products`, 'stream_has_no_shop'),
  unknownProduct: (productId: string) =>
    new UnprocessableError(`Product ${productId} does not exist`, 'unknown_product', { productId }),
  mixedCurrencies: (a: NamedPrice, b: NamedPrice) =>
    new UnprocessableError(
      `"${a.title}" is priced in ${a.currency} and "${b.title}" in ${b.currency}; order them separately`,
      'mixed_currencies',
      { productIds: [a.id, b.id] },
    ),
  mixedShops: (a: NamedPrice, b: NamedPrice) =>
    new UnprocessableError(
      `"${a.title}" and "${b.title}" are sold by different shops; order them separately`,
      'mixed_shops',
      { productIds: [a.id, b.id] },
    ),
  productNotInStream: (p: { id: string; title: string }, streamId: string) =>
    new UnprocessableError(`"${p.title}" is not sold in stream ${streamId}`, 'product_not_in_stream', {
      productId: p.id,
    }),
  soldOut: (p: { id: string; title: string }, remaining: number) =>
    new ConflictError(
      remaining === 0
        ? `Flash sale sold out: "${p.title}"`
        : `Only ${remaining} left in the flash sale of "${p.title}"`,
      'sold_out',
      { productId: p.id, remaining },
    ),
  outOfStock: (p: { id: string; title: string }, remaining: number) =>
    new ConflictError(
      remaining === 0 ? `Out of stock: "${p.title}"` : `Only ${remaining} of "${p.title}" left`,
      'out_of_stock',
      { productId: p.id, remaining },
    ),
  buyerLimit: (p: { id: string; title: string }, limit: number, used: number) =>
    new ConflictError(
      `"${p.title}" is limited to ${limit} per buyer` + (used > 0 ? ` and you already ordered ${used}` : ''),
      'buyer_limit',
      { productId: p.id, limit, used },
    ),
};

interface NamedPrice {
  id: string;
  title: string;
  currency: string;
}

/**
 * The reservation's decisions, the one place they are made: stock, sale
 * window and sale stock, per-buyer limits, currencies, shops, and
 * idempotency (stored keys, twins within a batch). Pure: decided against a
 * snapshot of the rows (read without locks and written only if they are
 * unchanged, or read under their locks; see ReservationEngine), so the rules
 * are unit-tested as data.
 */

export interface ReserveRequest {
  buyerId: string;
  /** Shown to the room as "<first name> just bought …". */
  buyerName: string;
  idempotencyKey: string;
  requestHash: string;
  streamId: string | null;
  /** Sorted by productId, no product twice (the DTO layer guarantees both). */
  items: { productId: string; quantity: number }[];
  /**
   * The buyer's token was let through without a lookup (AuthUser.unconfirmed):
   * the engine's read checks that the buyer exists, and refuses it if not.
   */
  confirmBuyer?: boolean;
}

/** A product as a commerce decision reads it: an order's reservation, a pin's check. */
export interface LockedProduct {
  id: string;
  merchantId: string;
  title: string;
  priceCents: number;
  currency: string;
  stock: number;
}

export interface StreamInfo {
  id: string;
  merchantId: string | null;
  status: 'created' | 'live' | 'ended';
  /** Epoch ms the stream went live, if it did. */
  startedAtMs: number | null;
}

export interface LockedPin {
  id: string;
  streamId: string;
  productId: string;
  salePriceCents: number | null;
  saleRemaining: number | null;
  /** Epoch ms the sale ends, if it has an end. */
  endsAtMs: number | null;
  perBuyerLimit: number | null;
}

export interface AllocationState {
  /** Database time of the transaction, epoch ms. */
  nowMs: number;
  /** Locked rows; `stock` is decremented as units are allocated. */
  products: Map<string, LockedProduct>;
  streams: Map<string, StreamInfo>;
  /** Current pin of each stream, locked; `saleRemaining` is decremented as units are allocated. */
  pinsByStream: Map<string, LockedPin>;
  /** Units a buyer already holds through a pin: key `${pinId}|${buyerId}`. */
  usage: Map<string, number>;
}

export interface NewOrder {
  id: string;
  buyerId: string;
  buyerName: string;
  merchantId: string;
  currency: string;
  totalCents: number;
  idempotencyKey: string;
  requestHash: string;
  streamId: string | null;
  pinId: string | null;
  streamOffsetMs: number | null;
  /** Units of the pinned product bought through the pin (per-buyer limit). */
  pinUnits: number;
  /** Of those, units taken from the pin's sale stock at the sale price. */
  saleUnits: number;
  items: OrderItem[];
}

export type Allocation = { ok: true; order: NewOrder } | { ok: false; error: DomainError };

/** A flash sale applies inside its window, while pinned, on a stream that has not ended. */
export function saleActive(pin: LockedPin, stream: StreamInfo | undefined, nowMs: number): boolean {
  return (
    pin.salePriceCents !== null &&
    stream?.status !== 'ended' &&
    (pin.endsAtMs === null || nowMs < pin.endsAtMs)
  );
}

const usageKey = (pinId: string, buyerId: string) => `${pinId}|${buyerId}`;

/**
 * Decides one request. On success the state is updated (units taken); on
 * failure it is untouched and the error names the product.
 */
export function allocate(req: ReserveRequest, s: AllocationState, newId: () => string): Allocation {
  const fail = (error: DomainError): Allocation => ({ ok: false, error });
  let stream: StreamInfo | undefined;
  if (req.streamId !== null) {
    stream = s.streams.get(req.streamId);
    if (!stream) {
      return fail(Refusal.unknownStream(req.streamId));
    }
    if (stream.merchantId === null) return fail(Refusal.streamHasNoShop(req.streamId));
  }
  const products: LockedProduct[] = [];
  for (const item of req.items) {
    const p = s.products.get(item.productId);
    if (!p) return fail(Refusal.unknownProduct(item.productId));
    products.push(p);
  }
  const first = products[0];
  for (const p of products) {
    if (p.currency !== first.currency) return fail(Refusal.mixedCurrencies(first, p));
    if (p.merchantId !== first.merchantId) return fail(Refusal.mixedShops(first, p));
    if (stream && p.merchantId !== stream.merchantId) return fail(Refusal.productNotInStream(p, stream.id));
  }

  const pin = stream ? s.pinsByStream.get(stream.id) : undefined;
  const pinIndex = pin ? req.items.findIndex((i) => i.productId === pin.productId) : -1;
  const onSale = pin !== undefined && pinIndex >= 0 && saleActive(pin, stream, s.nowMs);

  const items: OrderItem[] = [];
  let total = 0;
  for (let i = 0; i < req.items.length; i++) {
    const { quantity } = req.items[i];
    const p = products[i];
    const sale = onSale && i === pinIndex;
    if (sale && pin.saleRemaining !== null && pin.saleRemaining < quantity) {
      return fail(Refusal.soldOut(p, pin.saleRemaining));
    }
    if (p.stock < quantity) return fail(Refusal.outOfStock(p, p.stock));
    const unit = sale ? pin.salePriceCents! : p.priceCents;
    total += unit * quantity;
    items.push({ productId: p.id, title: p.title, quantity, unitPriceCents: unit, sale });
  }
  const pinUnits = pinIndex >= 0 ? req.items[pinIndex].quantity : 0;
  // A sale's limit lasts as long as the sale; a plain pin's limit as long as the pin.
  const limited = pin?.perBuyerLimit != null && (pin.salePriceCents === null || onSale);
  if (pin && pinIndex >= 0 && limited && pin.perBuyerLimit !== null) {
    const used = s.usage.get(usageKey(pin.id, req.buyerId)) ?? 0;
    if (used + pinUnits > pin.perBuyerLimit) {
      return fail(Refusal.buyerLimit(products[pinIndex], pin.perBuyerLimit, used));
    }
  }

  // Every check passed: take the units.
  for (let i = 0; i < req.items.length; i++) products[i].stock -= req.items[i].quantity;
  const saleUnits = onSale ? pinUnits : 0;
  if (pin && saleUnits > 0 && pin.saleRemaining !== null) pin.saleRemaining -= saleUnits;
  if (pin && pinUnits > 0) {
    const k = usageKey(pin.id, req.buyerId);
    s.usage.set(k, (s.usage.get(k) ?? 0) + pinUnits);
  }
  return {
    ok: true,
    order: {
      id: newId(),
      buyerId: req.buyerId,
      buyerName: req.buyerName,
      merchantId: first.merchantId,
      currency: first.currency,
      totalCents: total,
      idempotencyKey: req.idempotencyKey,
      requestHash: req.requestHash,
      streamId: req.streamId,
      pinId: pinIndex >= 0 && pin ? pin.id : null,
      streamOffsetMs:
        stream?.startedAtMs !== null && stream?.startedAtMs !== undefined
          ? Math.max(0, Math.round(s.nowMs - stream.startedAtMs))
          : null,
      pinUnits,
      saleUnits,
      items,
    },
  };
}

/** First name (or initial) only: what the room sees of a buyer. */
export function publicBuyerName(name: string): string {
  const first = name.trim().split(/\s+/)[0] ?? '';
  if (first.length === 0 || first.includes('@')) return 'Someone';
  return first.length > 20 ? `${first[0].toUpperCase()}.` : first;
}

/**
 * The order in which a batch is reserved: by buyer, then key. Every
 * transaction then inserts keys in the same order (no deadlock cycles on the
 * idempotency index). Within one batch the requests are simultaneous, so this
 * order is as fair as arrival order. Returns the permutation (sorted position
 * → index).
 */
export function reservationOrder(batch: { buyerId: string; idempotencyKey: string }[]): number[] {
  return batch
    .map((_, i) => i)
    .sort((a, b) => {
      const x = batch[a];
      const y = batch[b];
      if (x.buyerId !== y.buyerId) return x.buyerId < y.buyerId ? -1 : 1;
      if (x.idempotencyKey !== y.idempotencyKey) return x.idempotencyKey < y.idempotencyKey ? -1 : 1;
      return a - b;
    });
}

/** What a batch is decided from (lc_reserve_read). */
export interface ReservationSnapshot {
  nowMs: number;
  streams: StreamInfo[];
  pins: LockedPin[];
  products: LockedProduct[];
  /** Orders already stored under one of the batch's (buyer, key) pairs. */
  existing: { id: string; buyerId: string; idempotencyKey: string; requestHash: string }[];
  /** Units held per pin and buyer. */
  usage: { pinId: string; buyerId: string; units: number }[];
}

export type Decision =
  Allocation | { ok: 'replay'; orderId: string; requestHash: string } | { ok: 'twin'; of: number };

/**
 * Decides a whole batch: stored keys answer with their order, twins within
 * the batch with the first, the rest are allocated in order. Pure.
 */
export function decideBatch(
  batch: ReserveRequest[],
  snap: ReservationSnapshot,
): { orders: NewOrder[]; state: { alloc: AllocationState; decisions: Decision[] } } {
  const alloc: AllocationState = {
    nowMs: snap.nowMs,
    products: new Map(snap.products.map((p) => [p.id, { ...p }])),
    streams: new Map(snap.streams.map((s) => [s.id, s])),
    pinsByStream: new Map(snap.pins.map((p) => [p.streamId, { ...p }])),
    usage: new Map(snap.usage.map((u) => [`${u.pinId}|${u.buyerId}`, u.units])),
  };
  const stored = new Map(snap.existing.map((e) => [`${e.buyerId}|${e.idempotencyKey}`, e]));
  const firstOfKey = new Map<string, number>();
  const decisions: Decision[] = [];
  const orders: NewOrder[] = [];
  batch.forEach((r, i) => {
    const k = `${r.buyerId}|${r.idempotencyKey}`;
    const e = stored.get(k);
    if (e) {
      decisions.push({ ok: 'replay', orderId: e.id, requestHash: e.requestHash });
      return;
    }
    const first = firstOfKey.get(k);
    if (first !== undefined) {
      decisions.push({ ok: 'twin', of: first });
      return;
    }
    firstOfKey.set(k, i);
    const a = allocate(r, alloc, randomUUID);
    decisions.push(a);
    if (a.ok) orders.push(a.order);
  });
  return { orders, state: { alloc, decisions } };
}
