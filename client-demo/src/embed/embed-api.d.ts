// The public contract of the embeddable player, served beside it as
// https://HOST/embed.d.ts. The component (components/livecart-player.ts)
// imports these types, so the published declarations and the code cannot
// drift apart: a change here that the element does not follow fails to compile.
// It is self-contained on purpose (it is shipped as it is, so it names no file of
// ours): LivecartProduct is the public face of the room's PinView (src/room/protocol.ts),
// and player-shop.ts's productOf() maps one onto the other, so they cannot drift either.
//
//   <script src="https://HOST/embed.js" type="module"></script>
//   <livecart-player stream="STREAM_ID"></livecart-player>

/** The product pinned in the stream, as the viewer sees it (prices in minor units). */
export interface LivecartProduct {
  streamId: string;
  pinId: string;
  productId: string;
  title: string;
  imageUrl: string | null;
  /** ISO 4217 code. */
  currency: string;
  /** The list price in minor units (cents). */
  priceCents: number;
  /** The flash-sale price while a sale runs, else null. */
  salePriceCents: number | null;
  /** What one unit costs now: the sale price while the sale runs, else the list price. */
  unitPriceCents: number;
  /** Units left (of the sale while it runs). */
  remaining: number;
  /** Most units one buyer may take in this sale, or null. */
  perBuyerLimit: number | null;
  /** ISO time the flash sale ends, or null. */
  endsAt: string | null;
}

export interface LivecartCartLine {
  product: LivecartProduct;
  quantity: number;
}

/** `product-click`: the viewer opened the pinned product. Not cancelable. */
export type ProductClickDetail = { product: LivecartProduct };
/** `add-to-cart`: the viewer chose a quantity and pressed Buy. Cancelable: preventDefault() keeps the sale in your cart. */
export type AddToCartDetail = LivecartCartLine;
/** `checkout`: after an `add-to-cart` nobody cancelled. Cancelable: preventDefault() replaces livecart's checkout. */
export type CheckoutDetail = { streamId: string; items: LivecartCartLine[] };
/** `purchase`: livecart's own checkout took the payment. */
export type PurchaseDetail = {
  streamId: string;
  orderId: string;
  status: string;
  totalCents: number;
  currency: string;
};

export interface LivecartPlayerEventMap {
  'product-click': CustomEvent<ProductClickDetail>;
  'add-to-cart': CustomEvent<AddToCartDetail>;
  checkout: CustomEvent<CheckoutDetail>;
  purchase: CustomEvent<PurchaseDetail>;
}

/** What the element offers besides HTMLElement (attributes in brackets). */
export interface LivecartPlayerApi {
  /** [stream] The stream to play. */
  stream: string;
  /** [mode] `hls` (LL-HLS, the default), `webrtc` (WHEP, lowest latency), or empty to choose. */
  preferred: string;
  /** [src-base] The livecart origin; the embed sets it to the origin it was loaded from. */
  srcBase: string;
  /** [poster] An image shown until the first frame plays, such as the stream's `posterUrl`. */
  poster: string;
  /** [shop] Shows the pinned product, hearts and chat inside the player (the embed sets it). */
  shop: boolean;
  muted: boolean;
  /** [portrait] Set by the player while the picture is taller than wide (a vertical stream), to lay it out by. */
  readonly portrait: boolean;
  /** The pinned product the viewer sees now, or null. */
  readonly product: LivecartProduct | null;
  /** Starts (or switches) playback. Called by itself when the element is connected with `shop`. */
  start(mode?: string): Promise<void>;
  /** Stops playback and leaves the live room. */
  close(): void;
  /** Opens livecart's own checkout (a popup window on the livecart host) for the pinned product. */
  openCheckout(quantity?: number): Window | null;
}

export interface LivecartPlayerElement extends HTMLElement, LivecartPlayerApi {
  addEventListener<K extends keyof LivecartPlayerEventMap>(
    type: K,
    listener: (this: LivecartPlayerElement, ev: LivecartPlayerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'livecart-player': LivecartPlayerElement;
  }
}
