import type { PinView } from '../room/protocol';
import type { Offer } from './offer';
import type { PinWithProduct } from './pins.repository';

/** A flash sale runs while pinned, inside its window, on a stream that has not ended. */
export function pinOnSale(p: PinWithProduct, nowMs: number): boolean {
  return (
    p.salePriceCents !== null &&
    p.unpinnedAt === null &&
    p.streamStatus !== 'ended' &&
    (p.endsAt === null || nowMs < p.endsAt.getTime())
  );
}

/**
 * Units a viewer can still buy through the pin: the sale's remaining units
 * while it runs (never more than the product's stock, which they also come
 * out of), otherwise the product's stock.
 */
export function pinRemaining(p: PinWithProduct, nowMs: number): number {
  if (pinOnSale(p, nowMs) && p.saleRemaining !== null) return Math.min(p.saleRemaining, p.stock);
  return p.stock;
}

/**
 * The offer of a pin for a buyer, by the rules the reservation applies
 * (allocation.ts): the limit counts while the sale runs (or always, for a
 * pin without a sale), and an order never has more than `maxPerOrder` units.
 */
export function toOffer(
  p: PinWithProduct,
  boughtUnits: number,
  maxPerOrder: number,
  nowMs = Date.now(),
): Offer {
  const onSale = pinOnSale(p, nowMs);
  const remaining = pinRemaining(p, nowMs);
  const limited = p.perBuyerLimit !== null && (p.salePriceCents === null || onSale);
  const left = limited ? Math.max(0, p.perBuyerLimit! - boughtUnits) : Infinity;
  return {
    productId: p.productId,
    description: p.description,
    digital: p.digital,
    currency: p.currency,
    unitPriceCents: onSale ? p.salePriceCents! : p.priceCents,
    onSale,
    saleEndsAt: onSale ? (p.endsAt?.toISOString() ?? null) : null,
    remaining,
    perBuyerLimit: limited ? p.perBuyerLimit : null,
    boughtUnits,
    maxQuantity: Math.max(0, Math.min(maxPerOrder, remaining, left)),
  };
}

export function toPinView(p: PinWithProduct, nowMs = Date.now()): PinView {
  const onSale = pinOnSale(p, nowMs);
  return {
    pinId: p.id,
    streamId: p.streamId,
    productId: p.productId,
    title: p.title,
    imageUrl: p.imageUrl,
    currency: p.currency,
    priceCents: p.priceCents,
    salePriceCents: onSale ? p.salePriceCents : null,
    remaining: pinRemaining(p, nowMs),
    saleStock: p.saleStock,
    perBuyerLimit: p.perBuyerLimit,
    endsAt: p.endsAt?.toISOString() ?? null,
    pinnedAt: p.pinnedAt.toISOString(),
  };
}
