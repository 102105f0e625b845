// /products/:id : a product as buyers read it: pictures, description, price,
// stock, and the streams that showed it (live ones first to watch, ended ones
// as replays). Public.
import { html, nothing } from 'lit';
import { catalog } from '../api/client';
import { ApiError, messageOf } from '../api/errors';
import type { ProductDetail, ShownIn } from '../api/types';
import { LightElement, states } from '../components/light-element';
import { formatMoney } from '../lib/money';
import { mount, setTitle } from './page';

const STREAM_STATE: Record<string, string> = {
  created: 'coming up',
  live: 'live now',
  reconnecting: 'live now',
  ended: 'replay',
};

class LcProduct extends LightElement {
  static override properties = states<LcProduct>('product', 'shownIn', 'picture', 'notFound', 'error');
  product: ProductDetail | null = null;
  shownIn: ShownIn[] = [];
  /** The picture shown large. */
  picture: string | null = null;
  notFound = false;
  error = '';
  private readonly productId = decodeURIComponent(location.pathname.split('/')[2] ?? '');

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [product, shown] = await Promise.all([
        catalog.product(this.productId),
        catalog.shownIn(this.productId).catch(() => ({ items: [] as ShownIn[] })),
      ]);
      this.product = product;
      this.shownIn = shown.items;
      this.picture = product.images[0]?.url ?? product.imageUrl;
      setTitle(product.title);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
        this.notFound = true;
        setTitle('Product not found');
      } else this.error = messageOf(e);
    }
  }

  private pictures(p: ProductDetail) {
    return html`<div class="product-pictures">
      ${
        this.picture
          ? html`<img class="product-picture" src=${this.picture} alt=${p.title} />`
          : html`<div class="product-picture empty">No picture</div>`
      }
      ${
        p.images.length > 1
          ? html`<div class="row product-thumbs">
              ${p.images.map(
                (img) =>
                  html`<button
                    type="button"
                    class="link-button"
                    aria-label="Show this picture"
                    aria-pressed=${this.picture === img.url ? 'true' : 'false'}
                    @click=${() => (this.picture = img.url)}
                  >
                    <img src=${img.thumbnailUrl} alt="" width="72" height="72" />
                  </button>`,
              )}
            </div>`
          : nothing
      }
    </div>`;
  }

  override render() {
    if (this.notFound) {
      return html`<div class="empty" data-testid="not-found">
        <h1>Product not found</h1>
        <p>It may have been removed. <a href="/">See what is live</a>.</p>
      </div>`;
    }
    const p = this.product;
    if (!p) return html`<div id="msg" class="alert error" role="alert">${this.error}</div>`;
    return html`<article class="product-page" data-product=${p.id}>
      ${this.pictures(p)}
      <div class="stack">
        <h1>${p.title}</h1>
        <div class="total" data-testid="price">${formatMoney(p.priceCents, p.currency)}</div>
        <div data-testid="stock">
          ${
            p.stock > 0
              ? html`<span class="badge ok">In stock</span> ${p.stock} ${p.stock === 1 ? 'unit' : 'units'}`
              : html`<span class="badge">Sold out</span>`
          }
          ${p.digital ? html` · <span class="muted">digital, nothing is shipped</span>` : nothing}
        </div>
        ${
          p.description
            ? html`<p class="description" data-testid="description">${p.description}</p>`
            : nothing
        }
        <section aria-labelledby="shown-title">
          <h2 id="shown-title">Shown in</h2>
          ${
            this.shownIn.length === 0
              ? html`<div class="muted">No stream has shown it yet.</div>`
              : html`<ul id="shown-in">
                  ${this.shownIn.map(
                    (s) =>
                      html`<li>
                        <a href=${`/watch/${s.streamId}`}>${s.title}</a>
                        <span class="muted"
                          >·
                          ${STREAM_STATE[s.status] ?? s.status}${
                            s.startedAt ? ` · ${new Date(s.startedAt).toLocaleDateString()}` : ''
                          }</span
                        >
                      </li>`,
                  )}
                </ul>`
          }
        </section>
      </div>
    </article>`;
  }
}
customElements.define('lc-product', LcProduct);

mount(html`<lc-product></lc-product>`);
