// /merchant : the shop. Products (prices typed in major units of their
// currency) and the streamers who may sell them. Orders and reports have their
// own pages (/merchant/orders, /merchant/reports).
import { html, nothing } from 'lit';
import { merchant, products } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { LinkedStreamer, Product, ProductInput } from '../api/types';
import { LightElement } from '../components/light-element';
import { toast } from '../components/toast';
import { CURRENCIES } from '../lib/currencies';
import { formatMoney, parseMajor, stepOf, toMajorInput } from '../lib/money';
import { mount, setTitle } from './page';

type Errors = Partial<Record<'title' | 'price' | 'currency' | 'stock' | 'imageUrl' | 'email', string>>;

class LcShop extends LightElement {
  static override properties = {
    items: { state: true },
    streamers: { state: true },
    editing: { state: true },
    currency: { state: true },
    errors: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare items: Product[];
  declare streamers: LinkedStreamer[];
  declare editing: Product | null;
  declare currency: string;
  declare errors: Errors;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.items = [];
    this.streamers = [];
    this.editing = null;
    this.currency = 'USD';
    this.errors = {};
    this.error = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.can('merchant')) {
      void this.loadProducts();
      void this.loadStreamers();
    }
  }

  private async loadProducts(): Promise<void> {
    try {
      this.items = (await products.ofShop(session.user!.id)).items;
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private async loadStreamers(): Promise<void> {
    try {
      this.streamers = (await merchant.streamers()).items;
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private edit(p: Product): void {
    this.editing = p;
    this.currency = p.currency;
    this.errors = {};
    void this.updateComplete.then(() => {
      const f = this.productForm;
      if (!f) return;
      const set = (name: string, value: string) =>
        ((f.elements.namedItem(name) as HTMLInputElement).value = value);
      set('title', p.title);
      set('description', p.description ?? '');
      set('imageUrl', p.imageUrl ?? '');
      set('price', toMajorInput(p.priceCents, p.currency));
      set('currency', p.currency);
      set('stock', String(p.stock));
      set('sku', p.sku ?? '');
      (f.elements.namedItem('title') as HTMLInputElement).focus();
    });
  }

  private resetForm(): void {
    this.productForm?.reset();
    this.editing = null;
    this.currency = 'USD';
    this.errors = {};
  }

  private get productForm(): HTMLFormElement | null {
    return this.querySelector('#product-form');
  }

  /** The form as a product body, or the errors to show beside its fields. */
  private readForm(f: HTMLFormElement): ProductInput | null {
    const v = (name: string) => (f.elements.namedItem(name) as HTMLInputElement).value.trim();
    const errors: Errors = {};
    const currency = v('currency').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) errors.currency = 'Choose a currency.';
    if (!v('title')) errors.title = 'Give the product a title.';
    const price = parseMajor(v('price'), currency || 'USD');
    if (!price.ok) errors.price = price.message;
    const stock = Number(v('stock'));
    if (v('stock') === '' || !Number.isInteger(stock) || stock < 0)
      errors.stock = 'Stock is a whole number, 0 or more.';
    if (v('imageUrl') && !/^https?:\/\//i.test(v('imageUrl')))
      errors.imageUrl = 'An image URL starts with http:// or https://.';
    this.errors = errors;
    if (Object.keys(errors).length || !price.ok) return null;
    const body: ProductInput = { title: v('title'), priceCents: price.minor, currency, stock };
    if (v('description')) body.description = v('description');
    if (v('imageUrl')) body.imageUrl = v('imageUrl');
    if (v('sku')) body.sku = v('sku');
    return body;
  }

  private async save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    this.error = '';
    const body = this.readForm(ev.target as HTMLFormElement);
    if (!body) return;
    this.busy = true;
    try {
      if (this.editing) await products.update(this.editing.id, body);
      else await products.create(body);
      toast(this.editing ? `Saved ${body.title}.` : `Added ${body.title}.`, 'ok');
      this.resetForm();
      await this.loadProducts();
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private async link(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const input = form.elements.namedItem('email') as HTMLInputElement;
    this.error = '';
    try {
      await merchant.link(input.value.trim());
      input.value = '';
      await this.loadStreamers();
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private async unlink(s: LinkedStreamer): Promise<void> {
    try {
      await merchant.unlink(s.streamerId);
      await this.loadStreamers();
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private field(name: keyof Errors | 'description' | 'sku', label: string, input: unknown) {
    const err = name in this.errors ? this.errors[name as keyof Errors] : undefined;
    return html`<label
      class="field ${name === 'title' || name === 'description' || name === 'imageUrl' ? 'span-2' : ''}"
      >${label} ${input}
      <span class="field-error" id=${`${name}-error`}>${err ?? ''}</span>
    </label>`;
  }

  override render() {
    if (!session.can('merchant')) {
      return html`<h1>My shop</h1>
        <div class="empty">
          <a href=${loginUrl('/merchant')}>Sign in</a> with a merchant account to manage your shop.
        </div>`;
    }
    const invalid = (k: keyof Errors) => (this.errors[k] ? 'true' : 'false');
    return html`<h1>My shop</h1>
      <div id="msg" class="alert error" role="alert">${this.error}</div>
      <section id="products-section" class="panel" aria-labelledby="products-title">
        <h2 id="products-title">Products</h2>
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                <th>Title</th>
                <th>SKU</th>
                <th>Price</th>
                <th>Stock</th>
                <th><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody id="products">
              ${
                this.items.length === 0
                  ? html`<tr>
                      <td colspan="5" class="muted">No products yet: add one below.</td>
                    </tr>`
                  : nothing
              }
              ${this.items.map(
                (p) =>
                  html`<tr data-product=${p.id}>
                    <td>${p.title}</td>
                    <td>${p.sku ?? ''}</td>
                    <td>${formatMoney(p.priceCents, p.currency)}</td>
                    <td>${p.stock}</td>
                    <td>
                      <button type="button" class="secondary small" @click=${() => this.edit(p)}>Edit</button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <h3>${this.editing ? `Edit ${this.editing.title}` : 'Add a product'}</h3>
        <form id="product-form" class="form-grid" novalidate @submit=${this.save}>
          ${this.field(
            'title',
            'Title',
            html`<input
              name="title"
              required
              maxlength="200"
              aria-invalid=${invalid('title')}
              aria-describedby="title-error"
            />`,
          )}
          ${this.field('description', 'Description', html`<input name="description" maxlength="5000" />`)}
          ${this.field(
            'imageUrl',
            'Image URL',
            html`<input
              name="imageUrl"
              type="url"
              aria-invalid=${invalid('imageUrl')}
              aria-describedby="imageUrl-error"
            />`,
          )}
          ${this.field(
            'price',
            `Price (${this.currency})`,
            html`<input
              name="price"
              type="number"
              inputmode="decimal"
              min="0"
              step=${stepOf(this.currency)}
              placeholder=${this.currency === 'JPY' ? '1500' : '25.00'}
              required
              aria-invalid=${invalid('price')}
              aria-describedby="price-error"
            />`,
          )}
          ${this.field(
            'currency',
            'Currency',
            html`<select
              name="currency"
              aria-invalid=${invalid('currency')}
              @change=${(e: Event) => (this.currency = (e.target as HTMLSelectElement).value)}
            >
              ${Object.entries(CURRENCIES).map(
                ([code, c]) =>
                  html`<option value=${code} ?selected=${code === this.currency}>
                    ${code} · ${c.name}
                  </option>`,
              )}
            </select>`,
          )}
          ${this.field(
            'stock',
            'Stock',
            html`<input
              name="stock"
              type="number"
              min="0"
              step="1"
              required
              aria-invalid=${invalid('stock')}
              aria-describedby="stock-error"
            />`,
          )}
          ${this.field('sku', 'SKU', html`<input name="sku" maxlength="64" />`)}
          <div class="form-actions span-2">
            <button type="submit" id="product-submit" ?disabled=${this.busy}>
              ${this.editing ? 'Save product' : 'Add product'}
            </button>
            ${
              this.editing
                ? html`<button type="button" id="product-cancel" class="secondary" @click=${this.resetForm}>
                    Cancel edit
                  </button>`
                : nothing
            }
          </div>
        </form>
      </section>

      <section id="streamers-section" class="panel" aria-labelledby="streamers-title">
        <h2 id="streamers-title">Streamers who may sell my products</h2>
        <table class="data">
          <tbody id="streamers">
            ${
              this.streamers.length === 0
                ? html`<tr>
                    <td class="muted">No streamers yet.</td>
                  </tr>`
                : nothing
            }
            ${this.streamers.map(
              (s) =>
                html`<tr>
                  <td>${s.name}</td>
                  <td class="muted">linked ${new Date(s.linkedAt).toLocaleDateString()}</td>
                  <td>
                    <button type="button" class="secondary small" @click=${() => this.unlink(s)}>
                      Unlink
                    </button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
        <form id="streamer-form" class="row" @submit=${this.link}>
          <label class="field">Streamer's email <input name="email" type="email" required /></label>
          <button type="submit">Link streamer</button>
        </form>
      </section>`;
  }
}
customElements.define('lc-shop', LcShop);

setTitle('My shop');
mount(html`<lc-shop></lc-shop>`);
