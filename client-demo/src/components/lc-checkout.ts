// <lc-checkout>: the Buy flow in a modal dialog (native <dialog>: focus is
// trapped, Escape closes, focus returns to the Buy button). Quantity → order
// (with an Idempotency-Key, so a retried click never makes a second order) →
// the payment provider's page → the result; a declined payment comes back
// here to try again or cancel.
//
// The offer (price, sale, limit, units left) is read from the server when the
// dialog opens and again on every pin, unpin and stock event of the room, so
// a sale that ended while the dialog was open is not sold at its price.
import { html, nothing } from 'lit';
import type { PinView } from '@shared/room-protocol';
import { orders, pins, products } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { Checkout, Order } from '../api/types';
import { formatMoney } from '../lib/money';
import { boundQuantity, offerOf } from '../lib/offer';
import type { LiveRoom } from '../room/live-room';
import { LightElement } from './light-element';

type Step = 'quantity' | 'paying' | 'declined' | 'result';

export interface CheckoutRequest {
  streamId: string;
  pin: PinView;
  room?: LiveRoom | null;
}

/** The payment provider's page tells its opener how the payment ended. */
interface ProviderMessage {
  type: 'livecart:checkout';
  orderStatus: string;
  paymentStatus: string;
}

function newKey(): string {
  return crypto.randomUUID();
}

export class LcCheckout extends LightElement {
  static override properties = {
    pin: { state: true },
    unpinned: { state: true },
    step: { state: true },
    quantity: { state: true },
    order: { state: true },
    checkout: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare pin: PinView | null;
  declare unpinned: boolean;
  declare step: Step;
  declare quantity: number;
  declare order: Order | null;
  declare checkout: Checkout | null;
  declare error: string;
  declare busy: boolean;

  private streamId = '';
  private room: LiveRoom | null = null;
  private off: (() => void) | null = null;
  private attempt: { quantity: number; key: string } | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private opener: Element | null = null;
  private reread: ReturnType<typeof setTimeout> | undefined;
  private resolveClosed: ((order: Order | null) => void) | null = null;

  constructor() {
    super();
    this.pin = null;
    this.unpinned = false;
    this.step = 'quantity';
    this.quantity = 1;
    this.order = null;
    this.checkout = null;
    this.error = '';
    this.busy = false;
  }

  private get dialog(): HTMLDialogElement | null {
    return this.querySelector('dialog');
  }

  /** Opens the dialog for a pinned product; resolves with the order (or null) when it closes. */
  async open(req: CheckoutRequest): Promise<Order | null> {
    this.opener = document.activeElement;
    this.streamId = req.streamId;
    this.room = req.room ?? null;
    this.pin = req.pin;
    this.unpinned = false;
    this.step = 'quantity';
    this.quantity = 1;
    this.order = null;
    this.checkout = null;
    this.error = '';
    this.attempt = null;
    await this.updateComplete;
    this.dialog?.showModal();
    window.addEventListener('message', this.onMessage);
    this.off = this.room?.on('change', () => this.onRoomChange()) ?? null;
    this.tick = setInterval(() => this.requestUpdate(), 1000);
    void this.refreshOffer();
    return new Promise((resolve) => (this.resolveClosed = resolve));
  }

  close(): void {
    this.dialog?.close();
  }

  /** A click on the backdrop (outside the dialog's box) closes it, as Escape does. */
  private onBackdrop(e: MouseEvent): void {
    const d = this.dialog;
    if (!d || e.target !== d) return;
    const r = d.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) this.close();
  }

  private onClosed = (): void => {
    clearInterval(this.poll);
    clearInterval(this.tick);
    clearTimeout(this.reread);
    window.removeEventListener('message', this.onMessage);
    this.off?.();
    this.off = null;
    if (this.opener instanceof HTMLElement) this.opener.focus();
    this.resolveClosed?.(this.order);
    this.resolveClosed = null;
  };

  /** Pin, unpin or stock in the room: units left at once, the rest from the server. */
  private onRoomChange(): void {
    if (this.step !== 'quantity' || !this.pin) return;
    const live = this.room?.pin ?? null;
    if (live && live.pinId === this.pin.pinId && live.productId === this.pin.productId) {
      if (live.remaining !== this.pin.remaining || live.salePriceCents !== this.pin.salePriceCents) {
        this.pin = { ...this.pin, remaining: live.remaining, salePriceCents: live.salePriceCents };
      }
      return;
    }
    clearTimeout(this.reread);
    this.reread = setTimeout(() => void this.refreshOffer(), 150);
  }

  /** Reads the product's current offer: its open pin if still pinned, else the product itself. */
  private async refreshOffer(): Promise<void> {
    const pin = this.pin;
    if (!pin) return;
    try {
      const current = await pins.current(this.streamId);
      if (current && current.productId === pin.productId) {
        this.pin = current;
        this.unpinned = false;
      } else {
        const p = await products.get(pin.productId);
        this.pin = {
          ...pin,
          title: p.title,
          priceCents: p.priceCents,
          currency: p.currency,
          salePriceCents: null,
          saleStock: null,
          perBuyerLimit: null,
          endsAt: null,
          remaining: p.stock,
        };
        this.unpinned = true;
      }
      this.quantity = boundQuantity(this.quantity, Math.max(1, offerOf(this.pin).maxQuantity));
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private onQuantity(ev: Event): void {
    const input = ev.target as HTMLInputElement;
    if (input.value === '') return; // mid-edit: bound it when the field loses focus
    const max = Math.max(1, offerOf(this.pin!).maxQuantity);
    this.quantity = boundQuantity(input.value, max);
    // The control shows what will be ordered: a number above the limit does not stay typed.
    if (input.value !== String(this.quantity)) input.value = String(this.quantity);
  }

  private async place(): Promise<void> {
    const pin = this.pin;
    if (!pin) return;
    this.error = '';
    const quantity = this.quantity;
    if (!this.attempt || this.attempt.quantity !== quantity) this.attempt = { quantity, key: newKey() };
    this.busy = true;
    try {
      this.order = await orders.place(
        { streamId: this.streamId, items: [{ productId: pin.productId, quantity }] },
        this.attempt.key,
      );
      await this.pay();
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private async pay(): Promise<void> {
    if (!this.order) return;
    this.error = '';
    this.checkout = await orders.pay(this.order.id);
    this.step = 'paying';
    clearInterval(this.poll);
    this.poll = setInterval(() => void this.refreshOrder(), 1500);
  }

  private async retry(): Promise<void> {
    this.busy = true;
    try {
      await this.pay();
    } catch (e) {
      this.error = messageOf(e);
      await this.refreshOrder();
    } finally {
      this.busy = false;
    }
  }

  private async cancelOrder(): Promise<void> {
    if (!this.order) return;
    this.busy = true;
    try {
      this.order = await orders.cancel(this.order.id);
      this.finish();
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private onMessage = (ev: MessageEvent<ProviderMessage>): void => {
    if (ev.origin !== location.origin || ev.data?.type !== 'livecart:checkout') return;
    if (ev.data.paymentStatus === 'failed' && ev.data.orderStatus === 'pending_payment') {
      clearInterval(this.poll);
      this.step = 'declined';
      return;
    }
    void this.refreshOrder();
  };

  private async refreshOrder(): Promise<void> {
    if (!this.order) return;
    try {
      this.order = await orders.get(this.order.id);
    } catch {
      return;
    }
    if (this.order.status !== 'pending_payment') this.finish();
  }

  private finish(): void {
    clearInterval(this.poll);
    this.step = 'result';
  }

  private renderQuantity(pin: PinView) {
    const offer = offerOf(pin);
    const soldOut = offer.maxQuantity === 0;
    const q = this.quantity;
    return html`
      ${
        this.unpinned
          ? html`<p class="alert ok">This product is no longer pinned; it sells at its normal price.</p>`
          : nothing
      }
      <div class="line">
        <span>Price</span>
        <span class="price"
          >${formatMoney(offer.unitCents, pin.currency)}${
            offer.saleOn ? html`<s>${formatMoney(pin.priceCents, pin.currency)}</s>` : nothing
          }</span
        >
      </div>
      <div class="line">
        <label for="co-qty">Quantity</label>
        <input
          id="co-qty"
          type="number"
          inputmode="numeric"
          min="1"
          max=${Math.max(1, offer.maxQuantity)}
          step="1"
          .value=${String(q)}
          aria-label="Quantity"
          aria-describedby="co-limit"
          ?disabled=${soldOut}
          @input=${this.onQuantity}
          @change=${this.onQuantity}
          @blur=${(e: Event) => ((e.target as HTMLInputElement).value = String(this.quantity))}
        />
      </div>
      <div class="line">
        <span>Total (confirmed by the shop)</span>
        <strong class="co-total">${formatMoney(offer.unitCents * q, pin.currency)}</strong>
      </div>
      <p id="co-limit" class="muted">
        ${
          soldOut
            ? 'Sold out.'
            : offer.perBuyerLimit
              ? `Limit ${offer.perBuyerLimit} per buyer · ${pin.remaining} left`
              : `${pin.remaining} left`
        }
      </p>
      <div class="form-actions">
        <button type="button" ?disabled=${soldOut || this.busy} @click=${this.place}>Place order</button>
      </div>
    `;
  }

  private renderPaying() {
    const o = this.order!;
    const url = this.checkout!.checkoutUrl;
    return html`
      <div class="line">
        <span>Order total ${formatMoney(o.totalCents, o.currency)}</span>
        <span class="muted">held until ${new Date(o.expiresAt).toLocaleTimeString()}</span>
      </div>
      <iframe class="payment" title="Payment" src=${url}></iframe>
      <a href=${url} target="_blank" rel="noopener">Open the payment page</a>
    `;
  }

  private renderDeclined() {
    return html`
      <p class="alert error" data-status="declined">
        Payment declined. Your order is still held until
        ${new Date(this.order!.expiresAt).toLocaleTimeString()}: try again or cancel it.
      </p>
      <div class="form-actions">
        <button type="button" ?disabled=${this.busy} @click=${this.retry}>Try again</button>
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${this.cancelOrder}>
          Cancel order
        </button>
      </div>
    `;
  }

  private renderResult() {
    const o = this.order!;
    const ok = o.status === 'paid' || o.status === 'fulfilled';
    const text = ok
      ? `Paid: ${formatMoney(o.totalCents, o.currency)}. Thank you!`
      : o.status === 'expired'
        ? 'The hold expired before payment; the units went back on sale.'
        : `Order ${o.status.replace('_', ' ')}.`;
    return html`<p class="alert ${ok ? 'ok' : ''}" data-status=${o.status} role="status">${text}</p>
      <a href=${`/orders?order=${encodeURIComponent(o.id)}`}>See it in My orders</a>`;
  }

  private body() {
    if (!session.token) {
      return html`<p>Sign in to buy.</p>
        <a class="btn" href=${loginUrl()}>Sign in</a>`;
    }
    if (this.step === 'paying') return this.renderPaying();
    if (this.step === 'declined') return this.renderDeclined();
    if (this.step === 'result') return this.renderResult();
    return this.pin ? this.renderQuantity(this.pin) : nothing;
  }

  override render() {
    return html`<dialog
      class="sheet"
      data-testid="checkout"
      aria-labelledby="co-title"
      @close=${this.onClosed}
      @click=${this.onBackdrop}
    >
      <header>
        <h2 id="co-title">${this.pin?.title ?? 'Checkout'}</h2>
        <button type="button" class="secondary small" @click=${this.close}>Close</button>
      </header>
      ${this.body()}
      <div class="alert error" role="alert">${this.error}</div>
    </dialog>`;
  }
}

customElements.define('lc-checkout', LcCheckout);
