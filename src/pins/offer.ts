// Framework-free: the checkout reads it through `@shared/pins/offer`
// (GET /api/streams/:id/pins/current; pin-view.ts's toOffer makes it).

/** What one buyer can buy through a pin now (the checkout's numbers). */
export interface Offer {
  productId: string;
  /** The product's description (plain text), for the checkout. */
  description: string;
  /** No shipping address will be asked for. */
  digital: boolean;
  currency: string;
  /** The price a unit costs now: the sale price while the sale runs, else the product's. */
  unitPriceCents: number;
  onSale: boolean;
  /** The sale's end, while it runs and has one. */
  saleEndsAt: string | null;
  /** Units left to buy through the pin (of the sale while it runs, else of the product). */
  remaining: number;
  /** Units one buyer may hold through the pin, when it is limited now. */
  perBuyerLimit: number | null;
  /** Units this buyer already holds through the pin (orders waiting for payment, paid or shipped). */
  boughtUnits: number;
  /** The most this buyer can order in one go now: 0 when sold out or at the limit. */
  maxQuantity: number;
}
