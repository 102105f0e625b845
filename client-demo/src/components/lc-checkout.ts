// <lc-checkout>: the Buy flow in a modal dialog (native <dialog>: focus is
// trapped, Escape closes, focus returns to the Buy button). Quantity → where
// it ships (physical products only: a saved address or a new one, saved to
// the profile) → order (with an Idempotency-Key, so a retried click never
// makes a second order) → the payment provider's page → the result. A
// declined payment comes back here to pay the SAME order again or cancel it;
// reopening the dialog with that order still unpaid offers the same.
//
// The offer (price, sale, limit, units left, what this buyer may still order)
// is read from the server (`pins/current`) when the dialog opens, on every
// pin and unpin of the room and when the sale ends, so a sale that ended
// while the dialog was open is not sold at its price.
import { html, nothing } from 'lit';
import { COUNTRY_CODES } from '@shared/common/geo/countries';
import type { PinView } from '@shared/room/protocol';
import { buying, orders, products } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { Address, AddressInput, Checkout, Offer, Order } from '../api/types';
import { formatMoney } from '../lib/money';
import { boundQuantity, offerOf } from '../lib/offer';
import type { LiveRoom } from '../room/live-room';
import { ErrorElement } from './error-element';
import { states } from './light-element';

type Step = 'quantity' | 'address' | 'paying' | 'declined' | 'result';

/** An order placed in this tab and not paid yet: the one a retry pays (never a second hold). */
interface Pending {
  orderId: string;
  productId: string;
}
const pendingStore = {
  key: (streamId: string) => `livecart.checkout.pending.${streamId}`,
  get(streamId: string): Pending | null {
    try {
      return JSON.parse(sessionStorage.getItem(this.key(streamId)) ?? 'null') as Pending | null;
    } catch {
      return null;
    }
  },
  set: (streamId: string, p: Pending) =>
    sessionStorage.setItem(pendingStore.key(streamId), JSON.stringify(p)),
  clear: (streamId: string) => sessionStorage.removeItem(pendingStore.key(streamId)),
};

let countryNames: Intl.DisplayNames | null = null;
function countryName(code: string): string {
  try {
    countryNames ??= new Intl.DisplayNames(undefined, { type: 'region' });
    return countryNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** The countries, by name in the buyer's language. */
const countries = (): { code: string; name: string }[] =>
  COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );

function addressLine(a: Address): string {
  return [a.name, a.line1, a.line2, a.city, a.region, a.postalCode, countryName(a.country)]
    .filter(Boolean)
    .join(', ');
}

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

export class LcCheckout extends ErrorElement {
  static override properties = states<LcCheckout>(
    'pin',
    'unpinned',
    'step',
    'quantity',
    'order',
    'checkout',
    'busy',
    'offer',
    'digital',
    'addresses',
    'addressChoice',
    'offerRead',
  );

  pin: PinView | null = null;
  unpinned = false;
  step: Step = 'quantity';
  quantity = 1;
  order: Order | null = null;
  checkout: Checkout | null = null;
  busy = false;
  /** What the server offers this buyer now; null while unread or once unpinned. */
  offer: Offer | null = null;
  digital = false;
  addresses: Address[] | null = null;
  /** A saved address's id, or 'new'. */
  addressChoice = 'new';
  /** The server's offer has been read since the dialog opened (it says whether the product ships). */
  offerRead = false;

  /** The dialog reopened on an unpaid order (rather than a payment just declined). */
  private resumed = false;
  private saleEnd: ReturnType<typeof setTimeout> | undefined;
  private streamId = '';
  private room: LiveRoom | null = null;
  private off: (() => void) | null = null;
  private attempt: { quantity: number; key: string } | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private opener: Element | null = null;
  private reread: ReturnType<typeof setTimeout> | undefined;
  private resolveClosed: ((order: Order | null) => void) | null = null;

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
    this.resumed = false;
    this.offer = null;
    this.digital = false;
    this.offerRead = false;
    this.addresses = null;
    await this.updateComplete;
    this.dialog?.showModal();
    window.addEventListener('message', this.onMessage);
    this.off = this.room?.on('change', () => this.onRoomChange()) ?? null;
    this.tick = setInterval(() => this.requestUpdate(), 1000);
    const closed = new Promise<Order | null>((resolve) => (this.resolveClosed = resolve));
    if (session.token && !(await this.resumePending())) void this.refreshOffer();
    return closed;
  }

  /** An unpaid order of this product placed earlier in this tab: pay it (or cancel it), never a second one. */
  private async resumePending(): Promise<boolean> {
    const p = pendingStore.get(this.streamId);
    if (!p || p.productId !== this.pin?.productId) return false;
    try {
      const order = await orders.get(p.orderId);
      if (order.status !== 'pending_payment') {
        pendingStore.clear(this.streamId);
        return false;
      }
      this.order = order;
      this.resumed = true;
      this.step = 'declined';
      return true;
    } catch {
      pendingStore.clear(this.streamId);
      return false;
    }
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
    clearTimeout(this.saleEnd);
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

  /**
   * Reads the product's current offer: the server's offer for its open pin if still pinned
   * (price now, sale, limit, what this buyer may still order), else the product itself.
   */
  private async refreshOffer(): Promise<void> {
    const pin = this.pin;
    if (!pin) return;
    await this.act(async () => {
      const current = await buying.offer(this.streamId);
      clearTimeout(this.saleEnd);
      if (current.pin && current.offer && current.pin.productId === pin.productId) {
        this.pin = current.pin;
        this.offer = current.offer;
        this.digital = current.offer.digital;
        this.unpinned = false;
        // The sale's price and limit end with it: read the offer again then.
        const ends =
          current.offer.onSale && current.offer.saleEndsAt ? Date.parse(current.offer.saleEndsAt) : NaN;
        if (Number.isFinite(ends))
          this.saleEnd = setTimeout(() => void this.refreshOffer(), Math.max(0, ends - Date.now()) + 250);
      } else {
        const p = await products.get(pin.productId);
        this.offer = null;
        this.digital = (p as { digital?: boolean }).digital === true;
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
      this.quantity = boundQuantity(this.quantity, Math.max(1, this.maxQuantity()));
      this.offerRead = true;
    });
  }

  /**
   * The most this order may ask for: the server's answer for this buyer (limit, what they
   * already hold, units left), lowered by the room's live count of units left.
   */
  private maxQuantity(): number {
    const pin = this.pin;
    if (!pin) return 0;
    const local = offerOf(pin).maxQuantity;
    return this.offer ? Math.max(0, Math.min(this.offer.maxQuantity, local)) : local;
  }

  /** What a unit costs now: the server's price, unless the sale ended since it was read. */
  private unitCents(): { unit: number; saleOn: boolean } {
    const local = offerOf(this.pin!);
    if (this.offer && (this.offer.onSale ? local.saleOn : true))
      return { unit: this.offer.unitPriceCents, saleOn: this.offer.onSale };
    return { unit: local.unitCents, saleOn: local.saleOn };
  }

  private onQuantity(ev: Event): void {
    const input = ev.target as HTMLInputElement;
    if (input.value === '') return; // mid-edit: bound it when the field loses focus
    const max = Math.max(1, this.maxQuantity());
    this.quantity = boundQuantity(input.value, max);
    // The control shows what will be ordered: a number above the limit does not stay typed.
    if (input.value !== String(this.quantity)) input.value = String(this.quantity);
  }

  /** Quantity chosen: a physical product asks where it ships, a digital one goes to payment. */
  private async next(): Promise<void> {
    if (this.digital) return this.place(null);
    this.error = '';
    this.step = 'address';
    if (this.addresses === null) {
      try {
        this.addresses = (await buying.addresses()).items;
        this.addressChoice = this.addresses[0]?.id ?? 'new';
      } catch (e) {
        this.addresses = [];
        this.error = messageOf(e);
      }
    }
  }

  /** The address step's form: a saved address, or a new one saved to the profile first (checked there). */
  private async shipAndPay(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    this.error = '';
    let addressId = this.addressChoice;
    if (addressId === 'new') {
      const f = new FormData(ev.target as HTMLFormElement);
      const v = (name: string): string => {
        const x = f.get(name);
        return typeof x === 'string' ? x.trim() : '';
      };
      const address: AddressInput = {
        name: v('name'),
        line1: v('line1'),
        line2: v('line2') || null,
        city: v('city'),
        region: v('region') || null,
        postalCode: v('postalCode') || null,
        country: v('country'),
        phone: v('phone') || null,
      };
      this.busy = true;
      try {
        const saved = await buying.saveAddress(address);
        this.addresses = [...(this.addresses ?? []), saved];
        this.addressChoice = saved.id;
        addressId = saved.id;
      } catch (e) {
        this.error = messageOf(e);
        this.busy = false;
        return;
      }
    }
    await this.place(addressId);
  }

  /** Places the order (the same one on a retry), sets where it ships, and opens the payment. */
  private async place(addressId: string | null): Promise<void> {
    const pin = this.pin;
    if (!pin) return;
    this.error = '';
    const quantity = this.quantity;
    if (!this.attempt || this.attempt.quantity !== quantity) this.attempt = { quantity, key: newKey() };
    this.busy = true;
    try {
      // Back to the quantity with an order placed (its address was refused): a new quantity is a new order.
      if (this.order?.status === 'pending_payment' && this.order.items[0]?.quantity !== quantity) {
        await orders.cancel(this.order.id);
        this.order = null;
      }
      if (this.order?.status !== 'pending_payment') {
        this.order = await orders.place(
          { streamId: this.streamId, items: [{ productId: pin.productId, quantity }] },
          this.attempt.key,
        );
        pendingStore.set(this.streamId, { orderId: this.order.id, productId: pin.productId });
      }
      if (addressId) this.order = await buying.ship(this.order.id, { addressId });
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
      this.resumed = false;
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
    if (this.order?.status !== 'pending_payment') pendingStore.clear(this.streamId);
    this.step = 'result';
  }

  private renderQuantity(pin: PinView) {
    const max = this.maxQuantity();
    const { unit, saleOn } = this.unitCents();
    const limit = this.offer ? this.offer.perBuyerLimit : offerOf(pin).perBuyerLimit;
    const atLimit = max === 0 && pin.remaining > 0 && limit !== null;
    const soldOut = max === 0;
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
          >${formatMoney(unit, pin.currency)}${
            saleOn ? html`<s>${formatMoney(pin.priceCents, pin.currency)}</s>` : nothing
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
          max=${Math.max(1, max)}
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
        <strong class="co-total">${formatMoney(unit * q, pin.currency)}</strong>
      </div>
      <p id="co-limit" class="muted">
        ${
          atLimit
            ? `You have reached the limit of ${limit} per buyer.`
            : soldOut
              ? 'Sold out.'
              : limit
                ? `Limit ${limit} per buyer · ${pin.remaining} left`
                : `${pin.remaining} left`
        }
      </p>
      ${this.offer?.description ? html`<p class="co-description">${this.offer.description}</p>` : nothing}
      <div class="form-actions">
        <button
          id="co-next"
          type="button"
          ?disabled=${soldOut || this.busy || !this.offerRead}
          @click=${this.next}
        >
          ${this.digital ? 'Place order' : 'Continue to shipping'}
        </button>
      </div>
    `;
  }

  private renderAddress() {
    const list = this.addresses;
    if (list === null) return html`<p class="muted" role="status">Loading your addresses…</p>`;
    const choice = this.addressChoice;
    const input = (name: string, label: string, attrs: { required?: boolean; auto?: string } = {}) =>
      html`<label class="field"
        ><span>${label}${attrs.required ? '' : html` <span class="optional">(optional)</span>`}</span>
        <input name=${name} ?required=${attrs.required ?? false} autocomplete=${attrs.auto ?? 'on'}
      /></label>`;
    return html`<form id="co-address" class="stack" @submit=${this.shipAndPay}>
      ${
        list.length
          ? html`<fieldset class="stack">
              <legend>Ship to</legend>
              ${list.map(
                (a) =>
                  html`<label class="choice"
                    ><input
                      type="radio"
                      name="addressId"
                      .value=${a.id}
                      .checked=${choice === a.id}
                      @change=${() => (this.addressChoice = a.id)}
                    />
                    ${addressLine(a)}</label
                  >`,
              )}
              <label class="choice"
                ><input
                  type="radio"
                  name="addressId"
                  value="new"
                  .checked=${choice === 'new'}
                  @change=${() => (this.addressChoice = 'new')}
                />
                A new address</label
              >
            </fieldset>`
          : nothing
      }
      ${
        choice === 'new'
          ? html`${list.length ? nothing : html`<p class="muted">Where should it be shipped?</p>`}
              <div class="form-grid">
                ${input('name', 'Full name', { required: true, auto: 'name' })}
                ${input('phone', 'Phone', { auto: 'tel' })}
                <div class="span-2">
                  ${input('line1', 'Address', { required: true, auto: 'address-line1' })}
                </div>
                <div class="span-2">${input('line2', 'Address line 2', { auto: 'address-line2' })}</div>
                ${input('city', 'City', { required: true, auto: 'address-level2' })}
                ${input('region', 'State or region', { auto: 'address-level1' })}
                ${input('postalCode', 'Postal code', { auto: 'postal-code' })}
                <label class="field"
                  >Country
                  <select name="country" required autocomplete="country">
                    <option value="">Choose…</option>
                    ${countries().map((c) => html`<option value=${c.code}>${c.name}</option>`)}
                  </select>
                </label>
              </div>
              <p class="muted">It is saved to your addresses for next time.</p>`
          : nothing
      }
      <div class="form-actions">
        <button id="co-pay" type="submit" ?disabled=${this.busy}>Place order and pay</button>
        <button
          type="button"
          class="secondary"
          ?disabled=${this.busy}
          @click=${() => (this.step = 'quantity')}
        >
          Back
        </button>
      </div>
    </form>`;
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
        ${
          this.resumed
            ? `You already have an order of ${this.order!.items.map((i) => `${i.quantity} × ${i.title}`).join(', ')} waiting for payment.`
            : 'Payment declined.'
        }
        Your order is still held until ${new Date(this.order!.expiresAt).toLocaleTimeString()}: pay it or
        cancel it.
      </p>
      <div class="form-actions">
        <button id="co-retry" type="button" ?disabled=${this.busy} @click=${this.retry}>
          ${this.resumed ? 'Pay this order' : 'Try again'}
        </button>
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
    if (this.step === 'address') return this.renderAddress();
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
