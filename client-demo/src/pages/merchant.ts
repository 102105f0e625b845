// /merchant : the shop. Products (prices typed in major units of their
// currency, a description, digital or shipped, pictures uploaded from the
// computer) and the streamers who may sell them: a shop invites a streamer by
// email and the streamer accepts in the studio. Orders, reports and webhooks
// have their own pages (/merchant/orders, /merchant/reports, /merchant/webhooks).
import { html, nothing } from 'lit';
import { catalog, invitations, merchant, products } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { Invitation, LinkedStreamer, Product, ProductDetail, ProductInput } from '../api/types';
import { ACTIONS, emptyRow, tableHead, type Columns } from '../components/data-table';
import { ErrorElement } from '../components/error-element';
import { states } from '../components/light-element';
import { toast } from '../components/toast';
import { CURRENCY_CHOICES, formatMoney, parseMajor, stepOf, toMajorInput } from '../lib/money';
import { mount } from './page';

type Errors = Partial<Record<'title' | 'price' | 'currency' | 'stock' | 'imageUrl' | 'picture', string>>;

/** The pictures the server takes (POST /api/products/:id/images). */
const PICTURE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

const INVITATION_STATE: Record<Invitation['status'], string> = {
  pending: 'waiting for an answer',
  accepted: 'accepted',
  declined: 'declined',
  revoked: 'withdrawn',
};

const PRODUCT_COLUMNS: Columns = ['Title', 'SKU', 'Price', 'Stock', ACTIONS];

const INVITATION_COLUMNS: Columns = ['Invited', 'State', 'Sent', ACTIONS];

class LcShop extends ErrorElement {
  static override properties = states<LcShop>(
    'items',
    'streamers',
    'invites',
    'inviteError',
    'editing',
    'currency',
    'errors',
    'busy',
  );
  items: Product[] = [];
  streamers: LinkedStreamer[] = [];
  invites: Invitation[] = [];
  inviteError = '';
  /** The product being edited, read in full (its pictures). */
  editing: ProductDetail | null = null;
  currency = 'USD';
  errors: Errors = {};
  busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.can('merchant')) {
      void this.loadProducts();
      void this.loadStreamers();
      void this.loadInvitations();
    }
  }

  private loadInvitations(): Promise<void> {
    return this.act(async () => {
      this.invites = (await invitations.list()).items;
    });
  }

  private loadProducts(): Promise<void> {
    return this.act(async () => {
      this.items = (await products.ofShop(session.user!.id)).items;
    });
  }

  private loadStreamers(): Promise<void> {
    return this.act(async () => {
      this.streamers = (await merchant.streamers()).items;
    });
  }

  private async edit(summary: Product): Promise<void> {
    let p: ProductDetail;
    try {
      p = await catalog.product(summary.id);
    } catch (e) {
      this.error = messageOf(e);
      return;
    }
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
      (f.elements.namedItem('digital') as HTMLInputElement).checked = p.digital;
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
    const picture = this.pictureOf(f);
    if (picture && !PICTURE_TYPES.includes(picture.type))
      errors.picture = 'Choose a JPEG, PNG or WebP picture.';
    this.errors = errors;
    if (Object.keys(errors).length || !price.ok) return null;
    const digital = (f.elements.namedItem('digital') as HTMLInputElement).checked;
    const body: ProductInput = { title: v('title'), priceCents: price.minor, currency, stock, digital };
    if (v('description') || this.editing) body.description = v('description');
    if (v('imageUrl')) body.imageUrl = v('imageUrl');
    if (v('sku')) body.sku = v('sku');
    return body;
  }

  /** The picture chosen in the form, if any. */
  private pictureOf(f: HTMLFormElement): File | null {
    return (f.elements.namedItem('picture') as HTMLInputElement).files?.[0] ?? null;
  }

  private async save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    this.error = '';
    const form = ev.target as HTMLFormElement;
    const body = this.readForm(form);
    if (!body) return;
    const picture = this.pictureOf(form);
    this.busy = true;
    try {
      const saved = this.editing ? await products.update(this.editing.id, body) : await products.create(body);
      if (picture) {
        try {
          await catalog.addImage(saved.id, picture);
        } catch (e) {
          // The product is saved; only its picture is missing.
          this.error = `${body.title} is saved, but its picture was not: ${messageOf(e)}`;
        }
      }
      toast(this.editing ? `Saved ${body.title}.` : `Added ${body.title}.`, 'ok');
      this.resetForm();
      await this.loadProducts();
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private async removePicture(imageId: string): Promise<void> {
    const product = this.editing;
    if (!product) return;
    await this.act(async () => {
      this.editing = await catalog.removeImage(product.id, imageId);
      await this.loadProducts();
    });
  }

  private async invite(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const input = form.elements.namedItem('email') as HTMLInputElement;
    const email = input.value.trim();
    this.inviteError = '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      this.inviteError = "Enter the streamer's email address.";
      return;
    }
    try {
      await invitations.invite(email);
      input.value = '';
      toast(`Invited ${email}: they accept in their studio.`, 'ok');
      await this.loadInvitations();
    } catch (e) {
      this.inviteError = messageOf(e);
    }
  }

  private revoke(i: Invitation): Promise<void> {
    return this.act(async () => {
      await invitations.revoke(i.id);
      await this.loadInvitations();
    });
  }

  private unlink(s: LinkedStreamer): Promise<void> {
    return this.act(async () => {
      await merchant.unlink(s.streamerId);
      await this.loadStreamers();
    });
  }

  private field(name: keyof Errors | 'description' | 'sku', label: string, input: unknown) {
    const err = name in this.errors ? this.errors[name as keyof Errors] : undefined;
    return html`<label
      class="field ${name === 'title' || name === 'description' || name === 'imageUrl' || name === 'picture' ? 'span-2' : ''}"
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
            ${tableHead(PRODUCT_COLUMNS)}
            <tbody id="products">
              ${
                this.items.length === 0
                  ? emptyRow(PRODUCT_COLUMNS, 'No products yet: add one below.')
                  : nothing
              }
              ${this.items.map(
                (p) =>
                  html`<tr data-product=${p.id}>
                    <td><a href=${`/products/${p.id}`}>${p.title}</a></td>
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
          ${this.field(
            'description',
            'Description (buyers read it on the product page)',
            html`<textarea name="description" rows="4" maxlength="5000"></textarea>`,
          )}
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
              ${CURRENCY_CHOICES.map(
                ({ code, name }) =>
                  html`<option value=${code} ?selected=${code === this.currency}>${code} · ${name}</option>`,
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
          <label class="field inline span-2"
            ><input type="checkbox" name="digital" /> Digital: delivered without shipping (no address is asked
            for)</label
          >
          ${this.field(
            'picture',
            'Add a picture (JPEG, PNG or WebP)',
            html`<input
              name="picture"
              type="file"
              accept=${PICTURE_TYPES.join(',')}
              aria-invalid=${invalid('picture')}
              aria-describedby="picture-error"
            />`,
          )}
          ${
            this.editing?.images.length
              ? html`<div class="span-2 pictures" data-testid="pictures">
                  ${this.editing.images.map(
                    (img) =>
                      html`<figure>
                        <img src=${img.thumbnailUrl} alt="" width="96" height="96" />
                        <button
                          type="button"
                          class="secondary small"
                          @click=${() => this.removePicture(img.id)}
                        >
                          Remove
                        </button>
                      </figure>`,
                  )}
                </div>`
              : nothing
          }
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
        <h3>Invite a streamer</h3>
        <p class="muted">
          A streamer sells your products in their shows once they accept your invitation in their studio.
        </p>
        <form id="invite-form" class="row" novalidate @submit=${this.invite}>
          <label class="field"
            >Streamer's email
            <input
              name="email"
              type="email"
              required
              autocomplete="off"
              aria-invalid=${this.inviteError ? 'true' : 'false'}
              aria-describedby="invite-error"
            />
            <span class="field-error" id="invite-error">${this.inviteError}</span>
          </label>
          <button type="submit">Send invitation</button>
        </form>
        <table class="data">
          ${tableHead(INVITATION_COLUMNS)}
          <tbody id="invitations">
            ${this.invites.length === 0 ? emptyRow(INVITATION_COLUMNS, 'No invitations yet.') : nothing}
            ${this.invites.map(
              (i) =>
                html`<tr data-invitation=${i.id}>
                  <td>
                    ${i.email}${i.streamer ? html` <span class="muted">(${i.streamer.name})</span>` : nothing}
                  </td>
                  <td><span class="status invitation-${i.status}">${INVITATION_STATE[i.status]}</span></td>
                  <td class="muted">${new Date(i.createdAt).toLocaleDateString()}</td>
                  <td>
                    ${
                      i.status === 'pending'
                        ? html`<button type="button" class="secondary small" @click=${() => this.revoke(i)}>
                            Withdraw
                          </button>`
                        : nothing
                    }
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`;
  }
}
customElements.define('lc-shop', LcShop);

mount(html`<lc-shop></lc-shop>`);
