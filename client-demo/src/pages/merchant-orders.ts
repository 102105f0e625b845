// /merchant/orders : the shop's orders, filtered by stream and status, with
// fulfil and refund. (Fulfilment with tracking and partial refunds will add
// their forms to the row's actions.)
import { html, nothing } from 'lit';
import { orders } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../api/types';
import { LightElement } from '../components/light-element';
import { toast } from '../components/toast';
import { formatMoney } from '../lib/money';
import { field, mount, setTitle } from './page';

/** Where in the stream an order was placed, as h:mm:ss. */
export function streamTime(ms: number | null): string {
  if (ms === null) return '';
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

class LcShopOrders extends LightElement {
  static override properties = { items: { state: true }, error: { state: true }, loaded: { state: true } };
  declare items: Order[];
  declare error: string;
  declare loaded: boolean;
  private filter: { streamId?: string; status?: OrderStatus | '' } = {};

  constructor() {
    super();
    this.items = [];
    this.error = '';
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const q = new URLSearchParams(location.search);
    this.filter = { streamId: q.get('streamId') ?? '', status: (q.get('status') ?? '') as OrderStatus | '' };
    if (session.can('merchant')) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.items = (await orders.ofShop(this.filter)).items;
      this.error = '';
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.loaded = true;
    }
  }

  private applyFilter(ev: SubmitEvent): void {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    this.filter = {
      streamId: field(f, 'streamId').trim(),
      status: field(f, 'status') as OrderStatus | '',
    };
    void this.load();
  }

  private async act(o: Order, what: 'fulfil' | 'refund'): Promise<void> {
    try {
      await orders[what](o.id);
      toast(
        what === 'fulfil' ? 'Order marked fulfilled.' : 'Order refunded; its units are back in stock.',
        'ok',
      );
      await this.load();
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  override render() {
    if (!session.can('merchant')) {
      return html`<h1>Orders</h1>
        <div class="empty">
          <a href=${loginUrl()}>Sign in</a> with a merchant account to see your shop's orders.
        </div>`;
    }
    return html`<h1>Orders</h1>
      <div id="msg" class="alert error" role="alert">${this.error}</div>
      <section class="panel" id="orders-section">
        <form id="order-filter" class="row" @submit=${this.applyFilter}>
          <label class="field"
            >Stream id <input name="streamId" placeholder="any" .value=${this.filter.streamId ?? ''}
          /></label>
          <label class="field"
            >Status
            <select name="status">
              <option value="">any</option>
              ${ORDER_STATUSES.map(
                (s) =>
                  html`<option value=${s} ?selected=${s === this.filter.status}>
                    ${s.replace('_', ' ')}
                  </option>`,
              )}
            </select>
          </label>
          <button type="submit" class="secondary">Filter</button>
        </form>
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                <th>When</th>
                <th>Items</th>
                <th>Total</th>
                <th>Status</th>
                <th>Stream time</th>
                <th><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody id="orders">
              ${
                this.loaded && this.items.length === 0
                  ? html`<tr>
                      <td colspan="6" class="muted">No orders match.</td>
                    </tr>`
                  : nothing
              }
              ${this.items.map(
                (o) =>
                  html`<tr data-order=${o.id}>
                    <td>${new Date(o.createdAt).toLocaleString()}</td>
                    <td>${o.items.map((i) => `${i.quantity} × ${i.title}`).join(', ')}</td>
                    <td>${formatMoney(o.totalCents, o.currency)}</td>
                    <td><span class="status ${o.status}">${o.status.replace('_', ' ')}</span></td>
                    <td>${streamTime(o.streamOffsetMs)}</td>
                    <td>
                      ${
                        o.status === 'paid'
                          ? html`<div class="row">
                              <button type="button" class="small" @click=${() => this.act(o, 'fulfil')}>
                                Fulfil
                              </button>
                              <button
                                type="button"
                                class="small secondary"
                                @click=${() => this.act(o, 'refund')}
                              >
                                Refund
                              </button>
                            </div>`
                          : nothing
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>`;
  }
}
customElements.define('lc-shop-orders', LcShopOrders);

setTitle('Orders');
mount(html`<lc-shop-orders></lc-shop-orders>`);
