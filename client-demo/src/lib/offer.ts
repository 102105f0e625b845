// What a buyer is offered for a pin right now: the unit price (sale or
// normal), whether the sale runs, and how many units one may order. Pure, so
// the checkout's rules are unit tested (offer.spec.ts).
import type { PinView } from '@shared/room/protocol';
import { countdown } from '../player/pin-timing';

/** The most units one order may ask for when nothing else limits it. */
export const MAX_QUANTITY = 100;

export interface Offer {
  saleOn: boolean;
  unitCents: number;
  /** 0 when sold out. */
  maxQuantity: number;
  perBuyerLimit: number | null;
}

export function offerOf(pin: PinView, now = Date.now()): Offer {
  const windowOver = countdown(pin.endsAt, now)?.ended ?? false;
  const saleOn = pin.salePriceCents !== null && !windowOver;
  const unitCents = saleOn && pin.salePriceCents !== null ? pin.salePriceCents : pin.priceCents;
  // A sale's limit lasts as long as the sale, a plain pin's as long as the pin. The server
  // drops salePriceCents when a sale ends; its end time or sale stock says it was one.
  const saleOver = !saleOn && (windowOver || pin.saleStock !== null);
  const limit = saleOver ? null : pin.perBuyerLimit;
  const maxQuantity = Math.max(0, Math.min(MAX_QUANTITY, pin.remaining, limit ?? MAX_QUANTITY));
  return { saleOn, unitCents, maxQuantity, perBuyerLimit: limit };
}

/** A typed quantity brought inside 1..max (a whole number; 1 for anything unreadable). */
export function boundQuantity(typed: string | number, max: number): number {
  const n = Math.floor(Number(typed));
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.max(1, Math.min(max, n));
}
