// <lc-pin-card>: the pinned product over the video: title, price (the sale
// price with the normal one struck through), countdown, units left, Buy.
import { html, nothing, type PropertyValues } from 'lit';
import type { PinView } from '@shared/room/protocol';
import { formatMoney } from '../lib/money';
import { offerOf } from '../lib/offer';
import { countdown } from '../player/pin-timing';
import { LightElement } from './light-element';

export class LcPinCard extends LightElement {
  static override properties = {
    pin: { attribute: false },
    canBuy: { type: Boolean, attribute: 'can-buy' },
    message: { type: String },
  };
  pin: PinView | null = null;
  canBuy = true;
  message = '';
  private tick: ReturnType<typeof setInterval> | undefined;
  /** The countdown as last rendered: the tick renders again only when it would read otherwise. */
  private shownCountdown: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // Checked four times a second so the whole seconds turn on time; rendered once a second.
    this.tick = setInterval(() => {
      const cd = countdown(this.pin?.endsAt);
      if (cd && cd.text !== this.shownCountdown) this.requestUpdate();
    }, 250);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.tick);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('pin') && changed.get('pin')?.pinId !== this.pin?.pinId) this.message = '';
  }

  override render() {
    const pin = this.pin;
    if (!pin) return nothing;
    const offer = offerOf(pin);
    const cd = countdown(pin.endsAt);
    this.shownCountdown = cd?.text;
    const soldOut = pin.remaining <= 0;
    return html`<div class="lc-card" data-pin=${pin.pinId}>
      ${pin.imageUrl ? html`<img src=${pin.imageUrl} alt=${pin.title} />` : nothing}
      <div class="lc-body">
        <div class="lc-title">${pin.title}</div>
        <div class="lc-price">
          <span>${formatMoney(offer.unitCents, pin.currency)}</span>${
            offer.saleOn ? html`<s>${formatMoney(pin.priceCents, pin.currency)}</s>` : nothing
          }
        </div>
        <div class="lc-meta">
          ${cd ? html`<span class="lc-countdown">${cd.ended ? 'Sale ended' : `Ends in ${cd.text}`}</span>` : nothing}
          <span class="lc-left">${soldOut ? 'Sold out' : `${pin.remaining} left`}</span>
        </div>
        <button
          type="button"
          ?disabled=${soldOut || !this.canBuy}
          @click=${() => this.dispatchEvent(new CustomEvent('buy', { detail: pin, bubbles: true }))}
        >
          ${soldOut ? 'Sold out' : 'Buy'}
        </button>
        <div class="lc-msg" role="status">${this.message}</div>
      </div>
    </div>`;
  }
}

customElements.define('lc-pin-card', LcPinCard);
