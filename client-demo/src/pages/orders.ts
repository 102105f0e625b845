// /orders : the buyer's orders, newest first, with where each stands: the
// carrier and tracking number once shipped, money refunded, and for an unpaid
// order whose payment was declined or abandoned, "Pay again" for the same
// order (the server starts a new payment session; no second order, no second
// hold). `?order=ID` (the payment page's way back) highlights one.
import { html, nothing } from 'lit';
import { myOrders, orders } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { OrderDetail, OrderView } from '../api/types';
import { ErrorElement } from '../components/error-element';
import { states } from '../components/light-element';
import { formatMoney } from '../lib/money';
import { mount } from './page';

/** Payment states after which the buyer can start again on the same order. */
const RETRYABLE = new Set(['failed', 'cancelled']);

class LcMyOrders extends ErrorElement {
  static override properties = states<LcMyOrders>('items', 'details', 'busy');
  items: OrderView[] | null = null;
  /** The full orders (payments, refunds) of those that need more than the list says. */
  details: Map<string, OrderDetail> = new Map();
  busy = '';
  private readonly highlight = new URLSearchParams(location.search).get('order');

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.token) void this.load();
  }

  private load(): Promise<void> {
    return this.act(async () => {
      const items = (await myOrders.list()).items;
      // Unpaid orders (was a payment declined?) and refunded ones (how much, when) are read in full.
      const wanted = items.filter((o) => o.status === 'pending_payment' || o.refundedCents > 0);
      const details = new Map<string, OrderDetail>();
      await Promise.all(
        wanted.map(async (o) => {
          try {
            details.set(o.id, await myOrders.get(o.id));
          } catch {
            // The card shows what the list has.
          }
        }),
      );
      this.details = details;
      this.items = items;
      this.error = '';
      document.body.dataset.ordersLoaded = 'true';
      if (this.highlight) {
        await this.updateComplete;
        this.querySelector(`[data-order="${CSS.escape(this.highlight)}"]`)?.scrollIntoView({
          block: 'center',
        });
      }
    });
  }

  private async pay(o: OrderView): Promise<void> {
    this.busy = o.id;
    try {
      location.href = (await orders.pay(o.id)).checkoutUrl;
    } catch (e) {
      this.error = messageOf(e);
      this.busy = '';
    }
  }

  private async cancel(o: OrderView): Promise<void> {
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

  /** The last payment of an unpaid order did not go through: the buyer may try again. */
  private lastPaymentFailed(o: OrderView): boolean {
    const payments = [...(this.details.get(o.id)?.payments ?? [])];
    const last = payments.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1);
    return !!last && RETRYABLE.has(last.status);
  }

  private shipment(o: OrderView) {
    const f = o.fulfilment;
    if (!f) {
      return o.status === 'paid' && o.needsShipping
        ? html`<div class="muted" data-testid="shipment">Not shipped yet.</div>`
        : nothing;
    }
    const what = [f.carrier, f.trackingNumber].filter(Boolean).join(' ');
    return html`<div data-testid="shipment">
      Shipped
      ${new Date(f.fulfilledAt).toLocaleDateString()}${what ? html` · <strong data-testid="tracking">${what}</strong>` : nothing}
      ${
        f.trackingUrl
          ? html`· <a href=${f.trackingUrl} rel="noopener noreferrer" target="_blank">Track the parcel</a>`
          : nothing
      }
    </div>`;
  }

  private refunds(o: OrderView) {
    if (!o.refundedCents) return nothing;
    const list = this.details.get(o.id)?.refunds ?? [];
    return html`<div data-testid="refunds">
      <strong>${formatMoney(o.refundedCents, o.currency)} refunded</strong>
      ${
        list.length
          ? html`<span class="muted"
              >(${list
                .map(
                  (r) =>
                    `${formatMoney(r.amountCents, o.currency)} on ${new Date(r.createdAt).toLocaleDateString()}`,
                )
                .join(', ')})</span
            >`
          : nothing
      }
    </div>`;
  }

  private card(o: OrderView) {
    const failed = o.status === 'pending_payment' && this.lastPaymentFailed(o);
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
        ${
          failed
            ? html`<div class="alert error" data-testid="payment-failed">
                The payment did not go through. Your items are held until
                ${new Date(o.expiresAt).toLocaleTimeString()}: pay again for this same order.
              </div>`
            : nothing
        }
        ${this.shipment(o)} ${this.refunds(o)}
        <div class="muted">${new Date(o.createdAt).toLocaleString()}${note ? ` · ${note}` : ''}</div>
      </div>
      <div class="stack">
        <div class="total">${formatMoney(o.totalCents, o.currency)}</div>
        ${
          o.status === 'pending_payment'
            ? html`<div class="row">
                <button type="button" ?disabled=${this.busy === o.id} @click=${() => this.pay(o)}>
                  ${failed ? 'Pay again' : 'Pay'}
                </button>
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

mount(html`<lc-my-orders></lc-my-orders>`);
