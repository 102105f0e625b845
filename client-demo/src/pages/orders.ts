// /orders : the buyer's orders, newest first; an unpaid one can be paid or
// cancelled. `?order=ID` (the payment page's way back) highlights one.
import { html, nothing } from 'lit';
import { orders } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { Order } from '../api/types';
import { LightElement } from '../components/light-element';
import { formatMoney } from '../lib/money';
import { mount, setTitle } from './page';

class LcMyOrders extends LightElement {
  static override properties = { items: { state: true }, error: { state: true }, busy: { state: true } };
  declare items: Order[] | null;
  declare error: string;
  declare busy: string;
  private readonly highlight = new URLSearchParams(location.search).get('order');

  constructor() {
    super();
    this.items = null;
    this.error = '';
    this.busy = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.token) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.items = (await orders.mine()).items;
      this.error = '';
      if (this.highlight) {
        await this.updateComplete;
        this.querySelector(`[data-order="${CSS.escape(this.highlight)}"]`)?.scrollIntoView({
          block: 'center',
        });
      }
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private async pay(o: Order): Promise<void> {
    this.busy = o.id;
    try {
      location.href = (await orders.pay(o.id)).checkoutUrl;
    } catch (e) {
      this.error = messageOf(e);
      this.busy = '';
    }
  }

  private async cancel(o: Order): Promise<void> {
    this.busy = o.id;
    try {
      await orders.cancel(o.id);
      await this.load();
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = '';
    }
  }

  private card(o: Order) {
    const note =
      o.status === 'pending_payment'
        ? `Pay before ${new Date(o.expiresAt).toLocaleTimeString()}`
        : o.closedAt
          ? `${o.status} ${new Date(o.closedAt).toLocaleString()}`
          : '';
    return html`<article
      class="card order-card ${o.id === this.highlight ? 'highlight' : ''}"
      data-order=${o.id}
    >
      <div>
        <div class="status ${o.status}">${o.status.replace('_', ' ')}</div>
        <ul>
          ${o.items.map(
            (i) =>
              html`<li>
                ${i.quantity} × ${i.title} ·
                ${formatMoney(i.unitPriceCents, o.currency)}${i.sale ? ' (sale)' : ''}
              </li>`,
          )}
        </ul>
        <div class="muted">${new Date(o.createdAt).toLocaleString()}${note ? ` · ${note}` : ''}</div>
      </div>
      <div class="stack">
        <div class="total">${formatMoney(o.totalCents, o.currency)}</div>
        ${
          o.status === 'pending_payment'
            ? html`<div class="row">
                <button type="button" ?disabled=${this.busy === o.id} @click=${() => this.pay(o)}>Pay</button>
                <button
                  type="button"
                  class="secondary"
                  ?disabled=${this.busy === o.id}
                  @click=${() => this.cancel(o)}
                >
                  Cancel
                </button>
              </div>`
            : nothing
        }
      </div>
    </article>`;
  }

  override render() {
    if (!session.token) {
      return html`<h1>My orders</h1>
        <div class="empty"><a href=${loginUrl('/orders')}>Sign in</a> to see your orders.</div>`;
    }
    return html`<h1>My orders</h1>
      <div id="msg" class="alert error" role="alert">${this.error}</div>
      <div id="orders" class="orders-list" aria-live="polite">
        ${this.items?.length === 0 ? html`<div class="empty">No orders yet. Buy from a live stream.</div>` : nothing}
        ${(this.items ?? []).map((o) => this.card(o))}
      </div>`;
  }
}
customElements.define('lc-my-orders', LcMyOrders);

setTitle('My orders');
mount(html`<lc-my-orders></lc-my-orders>`);
