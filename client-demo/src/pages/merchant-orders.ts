// /merchant/orders : the shop's orders, filtered by stream (chosen by title)
// and status; an order's detail (buyer, address, items, payments, timeline);
// Fulfil with carrier and tracking, Refund all or part after a confirmation;
// the paid orders still to ship as a CSV file.
import { html, nothing } from 'lit';
import { reports, shopOrders } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import {
  ORDER_STATUSES,
  type OrderDetail,
  type OrderStatus,
  type OrderView,
  type ShippingAddress,
  type StreamReportRow,
} from '../api/types';
import { ACTIONS, emptyRow, tableHead, type Columns } from '../components/data-table';
import { ErrorElement } from '../components/error-element';
import { states } from '../components/light-element';
import { toast } from '../components/toast';
import { formatMoney, parseMajor, stepOf, toMajorInput } from '../lib/money';
import { field, mount } from './page';

/** Where in the stream an order was placed, as h:mm:ss. */
export function streamTime(ms: number | null): string {
  if (ms === null) return '';
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

const statusText = (s: OrderStatus): string => s.replace('_', ' ');

/** Money still refundable on an order. */
const refundable = (o: OrderView): number => o.totalCents - o.refundedCents;
const canRefund = (o: OrderView): boolean =>
  (o.status === 'paid' || o.status === 'fulfilled') && refundable(o) > 0;

/** An address as the lines a parcel label has. */
export function addressLines(a: ShippingAddress): string[] {
  return [
    a.name,
    a.line1,
    a.line2 ?? '',
    [a.postalCode, a.city, a.region].filter(Boolean).join(' '),
    a.country.toUpperCase(),
    a.phone ?? '',
  ].filter((l) => l !== '');
}

type Filter = { streamId: string; status: OrderStatus | '' };

const ORDER_COLUMNS: Columns = ['When', 'Items', 'Total', 'Status', 'Buyer', 'Stream time', ACTIONS];

class LcShopOrders extends ErrorElement {
  static override properties = states<LcShopOrders>(
    'items',
    'streams',
    'loaded',
    'detail',
    'dialog',
    'refundError',
    'refundAmount',
    'busy',
  );
  items: OrderView[] = [];
  streams: StreamReportRow[] = [];
  loaded = false;
  /** The order whose detail is open. */
  detail: OrderDetail | null = null;
  /** The order a dialog acts on. */
  dialog: { kind: 'fulfil' | 'refund'; order: OrderView } | null = null;
  refundError = '';
  /** The amount the refund dialog would give back now, in minor units (null: not a valid amount). */
  refundAmount: number | null = null;
  busy = false;
  // Initialised where it is declared, before connectedCallback reads it (the
  // old page read it first and its list stayed empty until Filter was pressed).
  private filter: Filter = { streamId: '', status: '' };

  override connectedCallback(): void {
    super.connectedCallback();
    const q = new URLSearchParams(location.search);
    this.filter = { streamId: q.get('streamId') ?? '', status: (q.get('status') ?? '') as OrderStatus | '' };
    if (session.can('merchant')) {
      void this.load();
      void this.loadStreams();
    }
  }

  private async load(): Promise<void> {
    try {
      this.items = (await shopOrders.list(this.filter)).items;
      this.error = '';
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.loaded = true;
      document.body.dataset.ordersLoaded = 'true';
    }
  }

  /** The shop's streams, for the filter's list (people pick a title, not an id). */
  private async loadStreams(): Promise<void> {
    try {
      this.streams = (await reports.streams()).items;
    } catch {
      // The filter keeps "any stream"; the orders themselves still load.
    }
  }

  private applyFilter(ev: SubmitEvent): void {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    this.filter = { streamId: field(f, 'streamId'), status: field(f, 'status') as OrderStatus | '' };
    void this.load();
  }

  private open(o: OrderView): Promise<void> {
    return this.act(async () => {
      this.detail = await shopOrders.get(o.id);
      await this.updateComplete;
      this.querySelector('#order-detail')?.scrollIntoView({ block: 'start' });
    });
  }

  private exportCsv(): Promise<void> {
    return this.act(async () => {
      await shopOrders.downloadToFulfil();
    });
  }

  private get dialogEl(): HTMLDialogElement | null {
    return this.querySelector('dialog.sheet');
  }

  private async openDialog(kind: 'fulfil' | 'refund', order: OrderView): Promise<void> {
    this.dialog = { kind, order };
    this.refundError = '';
    this.refundAmount = refundable(order);
    await this.updateComplete;
    const d = this.dialogEl;
    d?.querySelector('form')?.reset();
    d?.showModal();
  }

  private closeDialog(): void {
    this.dialogEl?.close();
  }

  /** The dialog closed (a button, Escape): forget it. */
  private dialogClosed(): void {
    this.dialog = null;
  }

  /** After a move: the list and the open detail show the order as the server now has it. */
  private async moved(order: OrderDetail, note: string): Promise<void> {
    toast(note, 'ok');
    this.closeDialog();
    if (this.detail?.id === order.id) this.detail = order;
    await this.load();
  }

  private async fulfil(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const o = this.dialog?.order;
    if (!o) return;
    const f = new FormData(ev.target as HTMLFormElement);
    const body = {
      carrier: field(f, 'carrier').trim() || undefined,
      trackingNumber: field(f, 'trackingNumber').trim() || undefined,
      trackingUrl: field(f, 'trackingUrl').trim() || undefined,
    };
    this.busy = true;
    try {
      const done = await shopOrders.fulfil(o.id, body);
      await this.moved(
        done,
        body.trackingNumber
          ? `Marked shipped: ${body.carrier ?? 'tracking'} ${body.trackingNumber}.`
          : 'Marked shipped.',
      );
    } catch (e) {
      this.error = messageOf(e);
      this.closeDialog();
    } finally {
      this.busy = false;
    }
  }

  /** Reads the refund amount as typed: empty is all that is left. */
  private readRefund(text: string, o: OrderView): number | null {
    if (text.trim() === '') {
      this.refundError = '';
      return refundable(o);
    }
    const p = parseMajor(text, o.currency, 'amount');
    if (!p.ok) {
      this.refundError = p.message;
      return null;
    }
    if (p.minor < 1) {
      this.refundError = 'Enter an amount above zero.';
      return null;
    }
    if (p.minor > refundable(o)) {
      this.refundError = `You can refund at most ${formatMoney(refundable(o), o.currency)} on this order.`;
      return null;
    }
    this.refundError = '';
    return p.minor;
  }

  private refundInput(ev: Event): void {
    const o = this.dialog?.order;
    if (o) this.refundAmount = this.readRefund((ev.target as HTMLInputElement).value, o);
  }

  private async refund(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const o = this.dialog?.order;
    if (!o) return;
    const amount = this.readRefund(field(new FormData(ev.target as HTMLFormElement), 'amount'), o);
    this.refundAmount = amount;
    if (amount === null) return;
    this.busy = true;
    try {
      const done = await shopOrders.refund(o.id, amount === refundable(o) ? undefined : amount);
      await this.moved(done, `Refunded ${formatMoney(amount, o.currency)} to ${o.buyer.name}.`);
    } catch (e) {
      this.refundError = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private actions(o: OrderView) {
    return html`${
      o.status === 'paid'
        ? html`<button type="button" class="small" @click=${() => this.openDialog('fulfil', o)}>
            Fulfil
          </button>`
        : nothing
    }
    ${
      canRefund(o)
        ? html`<button type="button" class="small secondary" @click=${() => this.openDialog('refund', o)}>
            Refund
          </button>`
        : nothing
    }`;
  }

  private dialogView() {
    const d = this.dialog;
    if (!d) return nothing;
    const o = d.order;
    if (d.kind === 'fulfil') {
      return html`<form method="dialog" id="fulfil-form" class="stack" @submit=${this.fulfil}>
        <header>
          <h2 id="dialog-title">Ship this order</h2>
          <button type="button" class="link-button" @click=${this.closeDialog}>Close</button>
        </header>
        <p class="muted">
          ${o.items.map((i) => `${i.quantity} × ${i.title}`).join(', ')} for ${o.buyer.name}.
          ${o.needsShipping ? 'The buyer sees the carrier and tracking number in My orders.' : 'Digital: nothing to ship.'}
        </p>
        <label class="field">Carrier <input name="carrier" maxlength="100" placeholder="e.g. DHL" /></label>
        <label class="field">Tracking number <input name="trackingNumber" maxlength="100" /></label>
        <label class="field"
          >Tracking link (optional)
          <input name="trackingUrl" type="url" maxlength="2000" placeholder="https://…"
        /></label>
        <div class="form-actions">
          <button type="submit" id="fulfil-submit" ?disabled=${this.busy}>Mark shipped</button>
          <button type="button" class="secondary" @click=${this.closeDialog}>Cancel</button>
        </div>
      </form>`;
    }
    const left = refundable(o);
    const amount = this.refundAmount;
    return html`<form method="dialog" id="refund-form" class="stack" novalidate @submit=${this.refund}>
      <header>
        <h2 id="dialog-title">Refund ${o.buyer.name}</h2>
        <button type="button" class="link-button" @click=${this.closeDialog}>Close</button>
      </header>
      <div class="line"><span>Order total</span><span>${formatMoney(o.totalCents, o.currency)}</span></div>
      ${
        o.refundedCents
          ? html`<div class="line">
              <span>Refunded already</span><span>${formatMoney(o.refundedCents, o.currency)}</span>
            </div>`
          : nothing
      }
      <label class="field"
        >Amount to refund (${o.currency}; empty refunds all that is left)
        <input
          name="amount"
          type="number"
          inputmode="decimal"
          min="0"
          step=${stepOf(o.currency)}
          placeholder=${toMajorInput(left, o.currency)}
          aria-invalid=${this.refundError ? 'true' : 'false'}
          aria-describedby="amount-error"
          @input=${this.refundInput}
        />
        <span class="field-error" id="amount-error">${this.refundError}</span>
      </label>
      <p id="refund-confirm-text">
        ${
          amount === null
            ? 'Enter the amount to give back.'
            : `${formatMoney(amount, o.currency)} goes back to ${o.buyer.name}. This cannot be undone.` +
              (amount === left && o.status === 'paid' && !o.refundedCents
                ? ' The order is cancelled and its units return to stock.'
                : '')
        }
      </p>
      <div class="form-actions">
        <button type="submit" id="refund-confirm" class="danger" ?disabled=${this.busy || amount === null}>
          ${amount === null ? 'Refund' : `Refund ${formatMoney(amount, o.currency)}`}
        </button>
        <button type="button" class="secondary" @click=${this.closeDialog}>Cancel</button>
      </div>
    </form>`;
  }

  private detailView(o: OrderDetail) {
    return html`<section id="order-detail" class="panel" aria-labelledby="detail-title" data-order=${o.id}>
      <div class="row spread">
        <h2 id="detail-title">Order of ${new Date(o.createdAt).toLocaleString()}</h2>
        <button type="button" class="link-button" @click=${() => (this.detail = null)}>Close</button>
      </div>
      <p>
        <span class="status ${o.status}" data-testid="detail-status">${statusText(o.status)}</span> ·
        ${formatMoney(o.totalCents, o.currency)}
        ${
          o.refundedCents
            ? html` ·
                <span data-testid="detail-refunded"
                  >${formatMoney(o.refundedCents, o.currency)} refunded</span
                >`
            : nothing
        }
      </p>
      <div class="grid detail-grid">
        <div>
          <h3>Buyer</h3>
          <div data-testid="buyer-name">${o.buyer.name}</div>
          <a data-testid="buyer-email" href=${`mailto:${o.buyer.email}`}>${o.buyer.email}</a>
        </div>
        <div>
          <h3>Ship to</h3>
          ${
            o.shipping
              ? html`<address data-testid="ship-to">
                  ${addressLines(o.shipping).map((l) => html`<div>${l}</div>`)}
                </address>`
              : html`<div class="muted">
                  ${o.needsShipping ? 'No address yet (the buyer adds it before paying).' : 'Digital: nothing to ship.'}
                </div>`
          }
        </div>
        <div>
          <h3>Shipment</h3>
          ${
            o.fulfilment
              ? html`<div data-testid="tracking">
                  ${o.fulfilment.carrier ?? ''} ${o.fulfilment.trackingNumber ?? ''}
                  ${
                    o.fulfilment.trackingUrl
                      ? html`<a href=${o.fulfilment.trackingUrl} rel="noopener noreferrer" target="_blank"
                          >track</a
                        >`
                      : nothing
                  }
                  <div class="muted">shipped ${new Date(o.fulfilment.fulfilledAt).toLocaleString()}</div>
                </div>`
              : html`<div class="muted">Not shipped yet.</div>`
          }
        </div>
      </div>
      <h3>Items</h3>
      <table class="data">
        <tbody>
          ${o.items.map(
            (i) =>
              html`<tr>
                <td>${i.quantity} × ${i.title}${i.digital ? ' (digital)' : ''}${i.sale ? ' (sale)' : ''}</td>
                <td>${formatMoney(i.unitPriceCents, o.currency)} each</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h3>Payment</h3>
      ${
        o.payments.length === 0
          ? html`<div class="muted">No payment started.</div>`
          : html`<ul data-testid="payments">
              ${o.payments.map(
                (p) =>
                  html`<li>
                    ${formatMoney(p.amountCents, p.currency)} via ${p.provider}: ${p.status.replace('_', ' ')}
                  </li>`,
              )}
            </ul>`
      }
      ${
        o.refunds.length
          ? html`<h3>Refunds</h3>
              <ul data-testid="refunds">
                ${o.refunds.map(
                  (r) =>
                    html`<li>
                      ${formatMoney(r.amountCents, o.currency)} on ${new Date(r.createdAt).toLocaleString()}
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      <h3>Timeline</h3>
      <ol class="timeline" data-testid="timeline">
        ${o.timeline.map(
          (e) =>
            html`<li data-event=${e.event}>
              <time datetime=${e.at}>${new Date(e.at).toLocaleString()}</time> ${e.text}
            </li>`,
        )}
      </ol>
      <div class="row">${this.actions(o)}</div>
    </section>`;
  }

  override render() {
    if (!session.can('merchant')) {
      return html`<h1>Orders</h1>
        <div class="empty">
          <a href=${loginUrl()}>Sign in</a> with a merchant account to see your shop's orders.
        </div>`;
    }
    return html`<div class="row spread">
        <h1>Orders</h1>
        <button type="button" id="export-csv" class="secondary" @click=${this.exportCsv}>
          Export orders to fulfil (CSV)
        </button>
      </div>
      <div id="msg" class="alert error" role="alert">${this.error}</div>
      <section class="panel" id="orders-section">
        <form id="order-filter" class="row" @submit=${this.applyFilter}>
          <label class="field"
            >Stream
            <select name="streamId">
              <option value="">any stream</option>
              ${this.streams.map(
                (s) =>
                  html`<option value=${s.streamId} ?selected=${s.streamId === this.filter.streamId}>
                    ${s.title}${s.startedAt ? ` (${new Date(s.startedAt).toLocaleDateString()})` : ''}
                  </option>`,
              )}
            </select>
          </label>
          <label class="field"
            >Status
            <select name="status">
              <option value="">any</option>
              ${ORDER_STATUSES.map(
                (s) =>
                  html`<option value=${s} ?selected=${s === this.filter.status}>${statusText(s)}</option>`,
              )}
            </select>
          </label>
          <button type="submit" class="secondary">Filter</button>
        </form>
        <div class="table-scroll">
          <table class="data">
            ${tableHead(ORDER_COLUMNS)}
            <tbody id="orders">
              ${
                this.loaded && this.items.length === 0 ? emptyRow(ORDER_COLUMNS, 'No orders match.') : nothing
              }
              ${this.items.map(
                (o) =>
                  html`<tr data-order=${o.id} class=${this.detail?.id === o.id ? 'selected' : ''}>
                    <td>${new Date(o.createdAt).toLocaleString()}</td>
                    <td>${o.items.map((i) => `${i.quantity} × ${i.title}`).join(', ')}</td>
                    <td>${formatMoney(o.totalCents, o.currency)}</td>
                    <td>
                      <span class="status ${o.status}">${statusText(o.status)}</span>${
                        o.refundedCents && o.status !== 'refunded'
                          ? html`<div class="muted">
                              ${formatMoney(o.refundedCents, o.currency)} refunded
                            </div>`
                          : nothing
                      }
                    </td>
                    <td>${o.buyer.name}</td>
                    <td>${streamTime(o.streamOffsetMs)}</td>
                    <td>
                      <div class="row">
                        <button type="button" class="small secondary" @click=${() => this.open(o)}>
                          Details
                        </button>
                        ${this.actions(o)}
                      </div>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>
      ${this.detail ? this.detailView(this.detail) : nothing}
      <dialog class="sheet" aria-labelledby="dialog-title" @close=${this.dialogClosed}>
        ${this.dialogView()}
      </dialog>`;
  }
}
customElements.define('lc-shop-orders', LcShopOrders);

mount(html`<lc-shop-orders></lc-shop-orders>`);
