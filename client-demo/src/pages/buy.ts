// /buy?stream=…&quantity=…&origin=… : livecart's own checkout for the
// embeddable player, opened in a popup window by a merchant's page whose
// player had no cart of its own (components/player-shop.ts). It buys the
// stream's pinned product with the checkout dialog of the watch page, and
// tells the page that opened it (its `origin`, which the server checked
// against EMBED_ALLOWED_ORIGINS) when the order is paid: `livecart:purchase`.
import { html, nothing } from 'lit';
import type { PurchaseMessage } from '../components/player-shop';
import { pins, streams } from '../api/client';
import { messageOf } from '../api/errors';
import type { Order } from '../api/types';
import { LcCheckout } from '../components/lc-checkout';
import { LightElement, states } from '../components/light-element';
import { mount, setTitle } from './page';

const params = new URLSearchParams(location.search);
const PAID = new Set(['paid', 'fulfilled']);

class LcBuy extends LightElement {
  static override properties = states<LcBuy>('title', 'note', 'done');
  override title = '';
  note = 'Loading…';
  done: Order | null = null;
  private readonly streamId = params.get('stream') ?? '';
  private reported = false;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onProvider);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('message', this.onProvider);
  }

  private get checkout(): LcCheckout | null {
    return this.querySelector<LcCheckout>('lc-checkout');
  }

  private async load(): Promise<void> {
    try {
      const [stream, pin] = await Promise.all([streams.get(this.streamId), pins.current(this.streamId)]);
      this.title = stream.title;
      setTitle(`Buy · ${stream.title}`);
      if (!pin) {
        this.note = 'Nothing is on sale in this stream right now.';
        return;
      }
      this.note = '';
      await this.updateComplete;
      const dialog = this.checkout;
      if (!dialog) return;
      const closed = dialog.open({ streamId: this.streamId, pin });
      // The viewer chose the quantity in the player; the dialog still bounds it by the offer.
      dialog.quantity = Math.max(1, Math.floor(Number(params.get('quantity')) || 1));
      const order = await closed;
      if (order) this.finish(order);
      else this.note = 'The checkout was closed.';
    } catch (e) {
      this.note = messageOf(e);
    }
  }

  /** The provider's page says the payment ended: report it to the player's page if it is paid. */
  private onProvider = (e: MessageEvent): void => {
    const data = e.data as { type?: string; orderStatus?: string } | null;
    if (e.origin !== location.origin || data?.type !== 'livecart:checkout') return;
    const order = this.checkout?.order;
    if (order && data.orderStatus && PAID.has(data.orderStatus))
      this.finish({ ...order, status: data.orderStatus as Order['status'] });
  };

  private finish(order: Order): void {
    if (!PAID.has(order.status)) {
      this.note = `The order is ${order.status.replace('_', ' ')}.`;
      return;
    }
    this.done = order;
    this.note = '';
    const origin = params.get('origin');
    if (this.reported || !origin || !window.opener) return;
    this.reported = true;
    const message: PurchaseMessage = {
      type: 'livecart:purchase',
      detail: {
        streamId: this.streamId,
        orderId: order.id,
        status: order.status,
        totalCents: order.totalCents,
        currency: order.currency,
      },
    };
    // Only the page that opened this window, and only if it is still at the origin it said.
    (window.opener as Window).postMessage(message, origin);
  }

  override render() {
    return html`<section class="panel buy" data-testid="buy">
        <h1>${this.title || 'Checkout'}</h1>
        ${this.note ? html`<p class="muted" role="status">${this.note}</p>` : nothing}
        ${
          this.done
            ? html`<p role="status" data-testid="paid">Thank you: your order is paid.</p>
                <p>
                  <a href=${`/orders?order=${encodeURIComponent(this.done.id)}`}>See your order</a> ·
                  <button type="button" class="secondary" @click=${() => window.close()}>Close</button>
                </p>`
            : nothing
        }
      </section>
      <lc-checkout></lc-checkout>`;
  }
}
customElements.define('lc-buy', LcBuy);

mount(html`<lc-buy></lc-buy>`);
