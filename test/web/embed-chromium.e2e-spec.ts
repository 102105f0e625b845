import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CLIENT_DIR } from '../../src/web/client-dir';
import { launchChromium, pinCardText, signIn } from '../support/browser';
import { ask, join, LiveClients } from '../support/live-client';
import { embedPage, startOtherSite, type OtherSite } from '../support/other-site';
import { createShop, pin, type Shop } from '../support/shop';
import { freePort, startTestApp, type TestApp, type TestUser } from '../support/test-app';

/**
 * The embeddable player (/embed.js, <livecart-player>) on a merchant's own
 * site, in real Chromium: a page served from another origin (a static server
 * on another loopback port) loads the script from the livecart server and
 * shows the stream's shop; Buy goes to the merchant's cart when it listens,
 * else to livecart's checkout in a popup window.
 */
describe('embeddable player on another site', () => {
  let t: TestApp;
  let browser: Browser;
  let site: OtherSite;
  let siteOrigin: string;
  let shop: Shop;
  let buyer: TestUser;
  let context: BrowserContext;
  let page: Page;
  const sockets = new LiveClients();

  /** The merchant's pages: the two documented lines, and (cart) a listener that keeps the sale. */
  function sitePage(kind: string, streamId: string): string {
    const listeners =
      kind === 'cart'
        ? `<script>
            window.cart = [];
            document.querySelector('livecart-player').addEventListener('add-to-cart', (e) => {
              e.preventDefault();
              window.cart.push(e.detail);
            });
          </script>`
        : `<script>
            window.purchases = [];
            document.querySelector('livecart-player').addEventListener('purchase', (e) => window.purchases.push(e.detail));
          </script>`;
    // A site whose CSS would restyle anything it reaches.
    const hostile = '<style>* { color: lime !important; font-size: 40px !important; }</style>';
    return embedPage(t.baseUrl, streamId, { extra: `${hostile}${listeners}` });
  }

  beforeAll(async () => {
    const port = await freePort();
    siteOrigin = `http://127.0.0.1:${port}`;
    t = await startTestApp({ env: { EMBED_ALLOWED_ORIGINS: siteOrigin } });
    site = await startOtherSite(
      (url) => sitePage(url.pathname.slice(1), url.searchParams.get('stream') ?? ''),
      port,
    );
    browser = await launchChromium();
    shop = await createShop(t, { stock: 10, priceCents: 2000, title: 'Desk <b>Lamp</b>', digital: true });
    buyer = await t.user('viewer', 'Ada');
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    sockets.disconnectAll();
    await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.close();
  });

  const open = async (kind: 'cart' | 'default', s: Shop = shop): Promise<void> => {
    await page.goto(`${siteOrigin}/${kind}?stream=${s.streamId}`);
  };

  it("shows the pinned product with the sale's countdown and units left, and the chat read-only, untouched by the site's CSS", async () => {
    const s = await createShop(t, { stock: 10, priceCents: 2000, title: 'Desk <b>Lamp</b>', digital: true });
    await pin(t, s, {
      salePriceCents: 1500,
      saleStock: 5,
      endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
    await open('cart', s);
    // Playwright's CSS locators pierce the player's open shadow root.
    const card = page.locator('livecart-player .lc-card');
    expect(await pinCardText(card)).toEqual({
      title: 'Desk <b>Lamp</b>',
      price: '$15.00',
      was: '$20.00',
      countdown: expect.stringMatching(/^Ends in [45]:\d\d$/),
      left: '5 left',
    });
    await page.locator('livecart-player .viewers:text("1 watching")').waitFor();
    // The site's `* { color: lime; font-size: 40px }` stops at the shadow root.
    const style = await card
      .locator('.lc-title')
      .evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).fontSize]);
    expect(style).not.toContain('rgb(0, 255, 0)');
    expect(style[1]).not.toBe('40px');
    // Chat from the room shows as text; an anonymous viewer has no input.
    const other = await sockets.connect(t.baseUrl, (await t.user('viewer', 'Eve')).token);
    await join(other, s.streamId);
    await ask(other, 'chat:send', { text: '<i>hello</i> from the studio' });
    const line = page.locator('livecart-player .chat li');
    await line.waitFor();
    expect(await line.textContent()).toBe('Eve <i>hello</i> from the studio');
    expect(await page.locator('livecart-player input[type=text], livecart-player .chat i').count()).toBe(0);
  });

  it("hands Buy to the merchant's cart: add-to-cart with the product and quantity, and no livecart checkout", async () => {
    const view = await pin(t, shop, {});
    await open('cart');
    const popups: string[] = [];
    page.on('popup', (p) => popups.push(p.url()));
    await page.locator('livecart-player .lc-card button:text("Buy")').click();
    const sheet = page.locator('livecart-player [data-testid=sheet]');
    await sheet.waitFor();
    await sheet.locator('button[aria-label="One more"]').click();
    await sheet.locator('button.buy').click();
    await page.waitForFunction(() => (window as unknown as { cart: unknown[] }).cart.length === 1);
    const cart = await page.evaluate(() => (window as unknown as { cart: unknown[] }).cart);
    expect(cart).toEqual([
      {
        quantity: 2,
        product: expect.objectContaining({
          streamId: shop.streamId,
          pinId: view.pinId,
          productId: shop.productId,
          title: 'Desk <b>Lamp</b>',
          currency: 'USD',
          priceCents: 2000,
          unitPriceCents: 2000,
          remaining: 10,
        }),
      },
    ]);
    await page.waitForTimeout(300);
    expect(popups).toEqual([]);
  });

  it("without handlers opens livecart's checkout in a popup, and the payment comes back as purchase", async () => {
    const s = await createShop(t, { stock: 10, priceCents: 2500, title: 'Kettle', digital: true });
    await pin(t, s, {});
    // The buyer is signed in to livecart (the popup is on the livecart host).
    await signIn(context, buyer.token, { id: buyer.id, name: 'Ada', roles: buyer.roles });
    await open('default', s);
    await page.locator('livecart-player .lc-card button:text("Buy")').click();
    await page.locator('livecart-player [data-testid=sheet] button[aria-label="One more"]').click();
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.locator('livecart-player [data-testid=sheet] button.buy').click(),
    ]);
    const url = new URL(popup.url());
    expect(`${url.origin}${url.pathname}`).toBe(`${t.baseUrl}/buy`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      stream: s.streamId,
      quantity: '2',
      origin: siteOrigin,
    });
    await popup.locator('[data-testid=checkout] .co-total:text("$50.00")').waitFor();
    await popup.click('text=Place order');
    await popup.frameLocator('iframe[title=Payment]').locator('#pay:not([disabled])').click();
    await page.waitForFunction(() => (window as unknown as { purchases: unknown[] }).purchases.length === 1);
    const [purchase] = await page.evaluate(() => (window as unknown as { purchases: unknown[] }).purchases);
    const [row] = await t.sql<{ id: string; status: string }>(
      'SELECT id, status FROM orders WHERE buyer_id = $1 AND stream_id = $2',
      [buyer.id, s.streamId],
    );
    expect(row?.status).toBe('paid');
    expect(purchase).toEqual({
      streamId: s.streamId,
      orderId: row?.id,
      status: 'paid',
      totalCents: 5000,
      currency: 'USD',
    });
  });

  it("never holds back the site's first paint, however slow /embed.js is", async () => {
    // The script answers 2 s late; a blocking script would hold the first paint that long.
    await page.route(`${t.baseUrl}/embed.js`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await route.continue();
    });
    const asked = Date.now();
    await open('cart');
    await page.locator('livecart-player .top').waitFor();
    expect(Date.now() - asked).toBeGreaterThanOrEqual(2000);
    const paint = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    );
    expect(paint).not.toBeNull();
    expect(paint).toBeLessThan(1500);
  });

  describe('over HTTP', () => {
    it('lets only the allowed sites load /embed.js, and serves its types beside it', async () => {
      const ok = await t.http.get('/embed.js').set('Origin', siteOrigin).expect(200);
      expect(ok.headers['access-control-allow-origin']).toBe(siteOrigin);
      expect(ok.headers['content-type']).toMatch(/javascript/);
      const other = await t.http.get('/embed.js').set('Origin', 'http://127.0.0.2:9').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(ok.headers['cache-control']).toBe('no-cache');
      const types = await t.http.get('/embed.d.ts').expect(200);
      expect(types.headers['content-type']).toMatch(/^text\/plain/);
      expect(types.text).toContain("'add-to-cart': CustomEvent<AddToCartDetail>");
    });

    it('lets the allowed sites frame the watch page and nobody else frame the other pages', async () => {
      const watch = await t.http.get(`/watch/${shop.streamId}`).expect(200);
      expect(watch.headers['content-security-policy']).toContain(
        `frame-ancestors 'self' ${t.baseUrl} ${siteOrigin}`,
      );
      const merchant = await t.http.get('/merchant').expect(200);
      expect(merchant.headers['content-security-policy']).toContain(`frame-ancestors 'self' ${t.baseUrl}`);
      expect(merchant.headers['content-security-policy']).not.toContain(siteOrigin);
    });

    it('opens the checkout popup only for an allowed site, which it reports the purchase to', async () => {
      await t.http.get(`/buy?stream=${shop.streamId}&origin=${encodeURIComponent(siteOrigin)}`).expect(200);
      const res = await t.http
        .get(`/buy?stream=${shop.streamId}&origin=${encodeURIComponent('https://evil.example')}`)
        .expect(403);
      expect(res.text).toBe(
        "https://evil.example is not a site allowed to embed livecart's player (EMBED_ALLOWED_ORIGINS).",
      );
    });

    it('keeps the script small: embed.js is at most 30 KB gzipped, hls.js apart', () => {
      const file = path.join(CLIENT_DIR!, 'embed.js');
      const gz = gzipSync(fs.readFileSync(file), { level: 9 }).length;
      expect(gz).toBeLessThanOrEqual(30 * 1024);
    });
  });
});
