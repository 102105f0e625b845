// The shop inside <livecart-player shop> (the embeddable player): the live
// room (read-only chat, viewers, hearts), the pinned product timed to the
// video, a sheet with quantity and Buy, and the buying events a merchant's
// page listens to (embed.d.ts). With nobody cancelling them, Buy opens
// livecart's own checkout in a popup window on the livecart host (/buy).
//
// Drawn in the player's shadow root with its own styles: on another site the
// host page's CSS neither reaches it nor is touched by it. Chat is read-only
// here: a viewer signs in and chats on livecart's own watch page. Event
// handlers are arrow functions: Lit calls a bound listener with the player
// as `this`, not this controller.
import { css, html, nothing, unsafeCSS, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { PinView } from '@shared/room/protocol';
import type {
  AddToCartDetail,
  CheckoutDetail,
  LivecartProduct,
  ProductClickDetail,
  PurchaseDetail,
} from '../embed/embed-api';
import { formatMoney } from '../lib/money';
import heartsCss from '../styles/hearts.css?inline';
import { boundQuantity, offerOf } from '../lib/offer';
import { pinVisible } from '../player/pin-timing';
import { LiveRoom } from '../room/live-room';
import './lc-pin-card';
import { LcHearts } from './lc-reactions';

/** What the shop needs of its player. */
export interface ShopHost extends ReactiveControllerHost, HTMLElement {
  stream: string;
  srcBase: string;
  ended: boolean;
  wallClock(): Date | null;
  start(mode?: string): Promise<void>;
  readonly isStarted: boolean;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** The message the /buy popup posts to the page that opened it when the order is paid. */
export interface PurchaseMessage {
  type: 'livecart:purchase';
  detail: PurchaseDetail;
}

const CHAT_LINES = 5;

export function productOf(pin: PinView): LivecartProduct {
  return {
    streamId: pin.streamId,
    pinId: pin.pinId,
    productId: pin.productId,
    title: pin.title,
    imageUrl: pin.imageUrl,
    currency: pin.currency,
    priceCents: pin.priceCents,
    salePriceCents: pin.salePriceCents,
    unitPriceCents: offerOf(pin).unitCents,
    remaining: pin.remaining,
    perBuyerLimit: pin.perBuyerLimit,
    endsAt: pin.endsAt,
  };
}

export class PlayerShop implements ReactiveController {
  room: LiveRoom | null = null;
  /** The pin the viewer's picture has reached (HLS viewers see it when their video does). */
  shown: PinView | null = null;
  sheet = false;
  quantity = 1;
  private offs: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: ShopHost) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('message', this.onMessage);
  }

  hostDisconnected(): void {
    window.removeEventListener('message', this.onMessage);
    this.leave();
  }

  /** Joins the stream's room (again when the stream changes). */
  join(): void {
    this.leave();
    const room = new LiveRoom(this.host.stream, this.host.srcBase);
    this.room = room;
    this.offs = [
      room.on('change', () => {
        const st = room.status;
        if (st === 'ended') this.host.ended = true;
        if ((st === 'live' || st === 'reconnecting' || st === 'ended') && !this.host.isStarted)
          void this.host.start();
        this.sync();
        this.host.requestUpdate();
      }),
      room.on('reactions', ({ counts }) => {
        for (const [kind, n] of Object.entries(counts))
          for (let i = 0; i < Math.min(n, 8); i++) setTimeout(() => this.hearts?.float(kind), i * 90);
      }),
    ];
    room.connect();
    this.timer = setInterval(() => this.sync(), 250);
  }

  leave(): void {
    clearInterval(this.timer);
    this.offs.forEach((f) => f());
    this.offs = [];
    this.room?.close();
    this.room = null;
  }

  get product(): LivecartProduct | null {
    return this.shown ? productOf(this.shown) : null;
  }

  private get hearts(): LcHearts | null {
    return this.host.renderRoot.querySelector('lc-hearts');
  }

  private sync(): void {
    const pin = this.room?.pin ?? null;
    let clock: Date | null = null;
    try {
      clock = this.host.wallClock();
    } catch {
      clock = null;
    }
    const show = pin && pinVisible(pin.pinnedAt, clock) ? pin : null;
    const same =
      show?.pinId === this.shown?.pinId &&
      show?.remaining === this.shown?.remaining &&
      show?.salePriceCents === this.shown?.salePriceCents;
    if (same) return;
    if (show?.pinId !== this.shown?.pinId) this.sheet = false;
    this.shown = show;
    this.host.requestUpdate();
  }

  private emit<T>(type: string, detail: T, cancelable = false): boolean {
    return this.host.dispatchEvent(
      new CustomEvent<T>(type, { detail, bubbles: true, composed: true, cancelable }),
    );
  }

  private openSheet(): void {
    const product = this.product;
    if (!product) return;
    this.emit<ProductClickDetail>('product-click', { product });
    this.quantity = 1;
    this.sheet = true;
    this.host.requestUpdate();
  }

  private closeSheet(): void {
    this.sheet = false;
    this.host.requestUpdate();
  }

  /** `add-to-cart`, then `checkout`; livecart's checkout unless a listener cancelled either. */
  buy(quantity = this.quantity): void {
    const product = this.product;
    if (!product) return;
    const line = { product, quantity };
    this.sheet = false;
    this.host.requestUpdate();
    if (!this.emit<AddToCartDetail>('add-to-cart', line, true)) return;
    if (!this.emit<CheckoutDetail>('checkout', { streamId: product.streamId, items: [line] }, true)) return;
    this.openCheckout(quantity);
  }

  /** livecart's own checkout of the pinned product in a popup window on the livecart host. */
  openCheckout(quantity = 1): Window | null {
    const q = new URLSearchParams({
      stream: this.host.stream,
      quantity: String(quantity),
      origin: location.origin,
    });
    const base = this.host.srcBase || location.origin;
    return window.open(`${base}/buy?${q.toString()}`, 'livecart-checkout', 'popup,width=460,height=720');
  }

  /** The popup says the order is paid: tell the merchant's page. */
  private onMessage = (e: MessageEvent): void => {
    const base = this.host.srcBase || location.origin;
    const data = e.data as Partial<PurchaseMessage> | null;
    if (
      e.origin !== new URL(base, location.href).origin ||
      data?.type !== 'livecart:purchase' ||
      !data.detail
    )
      return;
    if (data.detail.streamId !== this.host.stream) return;
    this.emit<PurchaseDetail>('purchase', data.detail);
  };

  private like(): void {
    this.room?.react('like');
    this.hearts?.float('like');
  }

  private setQuantity(e: Event, max: number): void {
    const input = e.target as HTMLInputElement;
    this.quantity = boundQuantity(input.value, max);
    input.value = String(this.quantity);
  }

  private step(by: number, max: number): void {
    this.quantity = boundQuantity(this.quantity + by, max);
    this.host.requestUpdate();
  }

  private renderSheet(pin: PinView) {
    const offer = offerOf(pin);
    const max = Math.max(1, offer.maxQuantity);
    return html`<div class="sheet" role="dialog" aria-label=${`Buy ${pin.title}`} data-testid="sheet">
      <div class="sheet-head">
        <strong>${pin.title}</strong>
        <button type="button" class="close" aria-label="Close" @click=${() => this.closeSheet()}>✕</button>
      </div>
      <div class="sheet-price">${formatMoney(offer.unitCents, pin.currency)}</div>
      <div class="qty">
        <button type="button" aria-label="One less" @click=${() => this.step(-1, max)}>−</button>
        <input
          type="number"
          min="1"
          max=${max}
          .value=${String(this.quantity)}
          aria-label="Quantity"
          @change=${(e: Event) => this.setQuantity(e, max)}
        />
        <button type="button" aria-label="One more" @click=${() => this.step(1, max)}>+</button>
      </div>
      <button type="button" class="buy" ?disabled=${offer.maxQuantity === 0} @click=${() => this.buy()}>
        Buy · ${formatMoney(offer.unitCents * this.quantity, pin.currency)}
      </button>
    </div>`;
  }

  render() {
    const room = this.room;
    const lines = room?.messages.slice(-CHAT_LINES) ?? [];
    const live = room?.status === 'live' || room?.status === 'reconnecting';
    return html`<div class="shop">
      <div class="top">
        ${live ? html`<span class="live">LIVE</span>` : nothing}
        ${room?.joined ? html`<span class="viewers">${room.viewers} watching</span>` : nothing}
      </div>
      <ol class="chat" aria-label="Chat" aria-live="polite">
        ${lines.map((m) => html`<li><b>${m.user.name}</b> ${m.text}</li>`)}
      </ol>
      <lc-hearts class="hearts" aria-hidden="true"></lc-hearts>
      <button type="button" class="heart" aria-label="Like" @click=${() => this.like()}>♥</button>
      <div
        class="pin"
        @click=${(e: Event) => {
          if (!(e.target as Element).closest('button')) this.openSheet();
        }}
        @buy=${() => this.openSheet()}
      >
        ${this.shown ? html`<lc-pin-card .pin=${this.shown} can-buy></lc-pin-card>` : nothing}
      </div>
      ${this.sheet && this.shown ? this.renderSheet(this.shown) : nothing}
    </div>`;
  }
}

/** The shop's styles, in the player's shadow root (design tokens with fallbacks). */
export const shopStyles = css`
  .shop {
    position: absolute;
    inset: 0;
    pointer-events: none;
    /* Inherited properties cross the shadow root: set here, not taken from the host page. */
    color: var(--color-text, #eef0f5);
    font-family: var(--font-sans, system-ui, sans-serif);
    font-size: var(--text-sm, 14px);
    line-height: 1.4;
    text-align: left;
  }
  .shop > * {
    pointer-events: auto;
  }
  .top {
    position: absolute;
    top: 0.5rem;
    left: 0.5rem;
    display: flex;
    gap: 0.35rem;
  }
  .top span {
    background: rgb(0 0 0 / 0.6);
    padding: 0.1rem 0.45rem;
    border-radius: 4px;
  }
  .top .live {
    background: var(--color-accent, #d81b4f);
    color: #fff;
    font-weight: 700;
  }
  .chat {
    position: absolute;
    left: 0.5rem;
    bottom: 0.5rem;
    width: min(60%, 22rem);
    margin: 0;
    padding: 0;
    list-style: none;
    display: flex;
    flex-direction: column;
    gap: 0.2rem;
    pointer-events: none;
    mask-image: linear-gradient(to top, #000 70%, transparent);
  }
  .chat li {
    background: rgb(0 0 0 / 0.45);
    padding: 0.1rem 0.4rem;
    border-radius: 4px;
    overflow-wrap: anywhere;
    align-self: flex-start;
  }
  .chat b {
    color: var(--color-link, #8ab4ff);
  }
  .hearts {
    position: absolute;
    right: 0.6rem;
    bottom: 3.5rem;
    width: 2.5rem;
    height: 60%;
    pointer-events: none;
  }
  .lc-heart {
    position: absolute;
    bottom: 0;
    font-size: 1.6rem;
    color: var(--color-accent-text, #ff6b8f);
    animation: lc-float 2.2s ease-out forwards;
    pointer-events: none;
  }
  ${unsafeCSS(heartsCss)}
  button.heart {
    position: absolute;
    right: 0.5rem;
    bottom: 0.5rem;
    width: 2.6rem;
    height: 2.6rem;
    border-radius: 50%;
    font-size: 1.3rem;
    color: var(--color-accent-text, #ff6b8f);
  }
  .pin {
    position: absolute;
    left: 0.5rem;
    top: 2.4rem;
    max-width: min(20rem, calc(100% - 4rem));
    cursor: pointer;
  }
  .lc-card {
    display: flex;
    gap: 0.6rem;
    background: rgb(15 17 21 / 0.92);
    border: 1px solid var(--color-border, #2c3244);
    border-radius: var(--radius-lg, 10px);
    padding: 0.45rem;
    align-items: center;
  }
  .lc-card img {
    width: 56px;
    height: 56px;
    object-fit: cover;
    border-radius: 6px;
  }
  .lc-title {
    font-weight: 600;
  }
  .lc-price {
    font-weight: 700;
    font-size: 1.05rem;
  }
  .lc-price s {
    color: var(--color-muted, #a3abbd);
    font-weight: 400;
    margin-left: 0.4rem;
  }
  .lc-meta {
    display: flex;
    gap: 0.5rem;
    color: var(--color-muted, #a3abbd);
  }
  .lc-countdown {
    color: var(--color-warn, #ffd36b);
    font-variant-numeric: tabular-nums;
  }
  .lc-card button,
  .sheet .buy {
    margin-top: 0.3rem;
    background: var(--color-accent, #d81b4f);
    border-color: transparent;
    color: #fff;
    font-weight: 600;
  }
  .lc-card button:disabled,
  .sheet .buy:disabled {
    background: var(--color-disabled-bg, #262a35);
    color: var(--color-disabled-text, #7b8396);
    cursor: not-allowed;
  }
  .lc-msg:empty {
    display: none;
  }
  .sheet {
    position: absolute;
    left: 0;
    right: 0;
    bottom: 0;
    background: var(--color-surface, #171a21);
    border-radius: 14px 14px 0 0;
    padding: 0.8rem 1rem 1rem;
    display: flex;
    flex-direction: column;
    gap: 0.6rem;
    box-shadow: 0 -8px 24px rgb(0 0 0 / 0.5);
  }
  .sheet-head {
    display: flex;
    justify-content: space-between;
    align-items: center;
  }
  .sheet-price {
    font-size: 1.2rem;
    font-weight: 700;
  }
  .qty {
    display: flex;
    gap: 0.4rem;
    align-items: center;
  }
  .qty input {
    width: 4rem;
    font: inherit;
    text-align: center;
    background: #000;
    color: inherit;
    border: 1px solid var(--color-border, #2c3244);
    border-radius: 4px;
    padding: 0.25rem;
  }
  .sheet .buy {
    padding: 0.55rem;
    font-size: 1rem;
  }
`;
