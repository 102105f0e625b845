// <lc-pin-panel>: one-click pinning from the stream's shop, with an optional
// flash sale (price in major units, units, minutes, limit per buyer). The
// product pinned now is shown above the list and marked in it, from the room's
// own pin events (so a pin made elsewhere shows too).
import { html, nothing, type PropertyValues } from 'lit';
import type { PinView } from '@shared/room/protocol';
import { pins, products } from '../api/client';
import { messageOf } from '../api/errors';
import type { PinInput, Product } from '../api/types';
import { formatMoney, parseMajor, stepOf } from '../lib/money';
import type { LiveRoom } from '../room/live-room';
import { ErrorElement } from './error-element';
import { states } from './light-element';
import { toast } from './toast';

export class LcPinPanel extends ErrorElement {
  static override properties = {
    streamId: { attribute: false },
    merchantId: { attribute: false },
    room: { attribute: false },
    ...states<LcPinPanel>('items', 'current', 'fieldErrors', 'busy', 'note'),
  };
  streamId = '';
  merchantId: string | null = null;
  room: LiveRoom | null = null;
  items: Product[] = [];
  current: PinView | null = null;
  fieldErrors: Record<string, string> = {};
  busy = false;
  note = '';
  private off: (() => void) | null = null;

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('room')) {
      this.off?.();
      this.off = this.room?.on('change', () => (this.current = this.room?.pin ?? null)) ?? null;
    }
    if ((changed.has('streamId') || changed.has('merchantId')) && this.streamId) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
  }

  private async load(): Promise<void> {
    const shop = this.merchantId;
    if (!shop) {
      this.items = [];
      this.note = 'This stream has no shop: attach one (before going live) to pin its products.';
      return;
    }
    await this.act(async () => {
      const [page, open] = await Promise.all([products.ofShop(shop), pins.current(this.streamId)]);
      this.items = page.items;
      this.current = open;
      this.note = page.items.length ? '' : 'The shop has no products yet.';
    });
  }

  /** The sale fields as a pin body, or field errors to show beside them. */
  private saleFields(product: Product): { body?: PinInput; errors: Record<string, string> } {
    const form = this.querySelector<HTMLFormElement>('form.sale');
    const v = (name: string): string =>
      (form?.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() ?? '';
    const body: PinInput = { productId: product.id };
    const errors: Record<string, string> = {};
    if (v('salePrice')) {
      const p = parseMajor(v('salePrice'), product.currency);
      if (p.ok) body.salePriceCents = p.minor;
      else errors.salePrice = p.message;
    }
    const whole = (name: string, key: 'saleStock' | 'perBuyerLimit', what: string): void => {
      if (!v(name)) return;
      const n = Number(v(name));
      if (Number.isInteger(n) && n >= 1) body[key] = n;
      else errors[name] = `${what} must be a whole number of at least 1.`;
    };
    whole('saleStock', 'saleStock', 'Units');
    whole('perBuyerLimit', 'perBuyerLimit', 'The limit per buyer');
    if (v('minutes')) {
      const m = Number(v('minutes'));
      if (m > 0) body.endsAt = new Date(Date.now() + m * 60_000).toISOString();
      else errors.minutes = 'Minutes must be more than 0.';
    }
    return Object.keys(errors).length ? { errors } : { body, errors };
  }

  private async pin(product: Product): Promise<void> {
    this.error = '';
    const { body, errors } = this.saleFields(product);
    this.fieldErrors = errors;
    if (!body) return;
    this.busy = true;
    try {
      const p = await pins.pin(this.streamId, body);
      this.current = p;
      toast(`Pinned ${p.title}.`, 'ok');
    } catch (e) {
      this.error = `Could not pin ${product.title}: ${messageOf(e)}`;
    } finally {
      this.busy = false;
    }
  }

  private async unpin(): Promise<void> {
    if (!this.current) return;
    this.error = '';
    try {
      await pins.unpin(this.streamId, this.current.pinId);
      this.current = null;
      toast('Unpinned.', 'ok');
    } catch (e) {
      this.error = `Could not unpin: ${messageOf(e)}`;
    }
  }

  private field(name: string, label: string, attrs: { step?: string; min?: string; placeholder?: string }) {
    const err = this.fieldErrors[name];
    return html`<label class="field"
      >${label}
      <input
        name=${name}
        inputmode="decimal"
        type="number"
        min=${attrs.min ?? '0'}
        step=${attrs.step ?? '1'}
        placeholder=${attrs.placeholder ?? ''}
        aria-invalid=${err ? 'true' : 'false'}
        aria-describedby=${`${name}-error`}
      />
      <span class="field-error" id=${`${name}-error`}>${err ?? ''}</span>
    </label>`;
  }

  override render() {
    const cur = this.current;
    const currency = this.items[0]?.currency ?? 'USD';
    return html`<section class="panel" aria-labelledby="pins-title">
      <h2 id="pins-title">Pin a product</h2>
      <div class="current-pin" data-testid="current-pin" ?hidden=${!cur}>
        ${
          cur
            ? html`<div class="row spread">
                <span
                  >Pinned now: <strong>${cur.title}</strong> ${
                    cur.salePriceCents !== null
                      ? html`· sale ${formatMoney(cur.salePriceCents, cur.currency)}`
                      : html`· ${formatMoney(cur.priceCents, cur.currency)}`
                  }
                  ${cur.perBuyerLimit ? html`· limit ${cur.perBuyerLimit} per buyer` : nothing} ·
                  ${cur.remaining} left</span
                >
                <button type="button" class="secondary small" @click=${this.unpin}>Unpin</button>
              </div>`
            : nothing
        }
      </div>
      <form class="sale form-grid" @submit=${(e: Event) => e.preventDefault()}>
        ${this.field('salePrice', `Sale price (${currency})`, { step: stepOf(currency), placeholder: 'optional' })}
        ${this.field('saleStock', 'Sale units', { min: '1', placeholder: 'all' })}
        ${this.field('minutes', 'Sale minutes', { min: '1', placeholder: 'until unpinned' })}
        ${this.field('perBuyerLimit', 'Limit per buyer', { min: '1', placeholder: '1 for a sale' })}
      </form>
      <p class="muted">Fill the sale fields to make the next pin a flash sale.</p>
      <div class="alert error" role="alert">${this.error}</div>
      ${this.note ? html`<p class="muted">${this.note}</p>` : nothing}
      <table class="data pin-rows">
        <tbody>
          ${this.items.map((p) => {
            const pinned = cur?.productId === p.id;
            return html`<tr class=${pinned ? 'pinned' : ''} data-product=${p.id}>
              <td>${p.title}</td>
              <td>${formatMoney(p.priceCents, p.currency)}</td>
              <td>${p.stock} in stock</td>
              <td>
                ${pinned ? html`<span class="badge ok">Pinned</span>` : nothing}
                <button type="button" class="small" ?disabled=${this.busy} @click=${() => this.pin(p)}>
                  ${pinned ? 'Pin again' : 'Pin'}
                </button>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }
}

customElements.define('lc-pin-panel', LcPinPanel);
