import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app';
import { createShop, pin, type Shop, stockOf } from './shop';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Buy flow the overlay opens (client-demo/js/checkout.js) in real
 * Chromium: quantity, order, the simulated provider's page, the result.
 */
describe('checkout in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let shop: Shop;
  let buyer: TestUser;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    shop = await createShop(t, { stock: 10, priceCents: 2000, title: 'Sale <b>Lamp</b>', digital: true });
    buyer = await t.user('viewer', 'Ada Lovelace');
  });
  beforeEach(async () => {
    page = await browser.newPage();
    await page.addInitScript(
      ([token, user]) => {
        localStorage.setItem('livecart.token', token);
        localStorage.setItem('livecart.user', user);
      },
      [buyer.token, JSON.stringify({ id: buyer.id, name: 'Ada Lovelace', roles: buyer.roles })],
    );
    // The checkout URL is built from PUBLIC_URL (port 3000 in tests); the test
    // server listens elsewhere on loopback, so send those requests there.
    const publicUrl = t.config.http.publicUrl;
    await page.route(`${publicUrl}/**`, (route) =>
      route.continue({ url: route.request().url().replace(publicUrl, t.baseUrl) }),
    );
  });
  afterEach(() => page.close());
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function open(p: Record<string, unknown>): Promise<void> {
    await page.goto(`${t.baseUrl}/orders`);
    // A string, not a function: the test is compiled to CommonJS, which would turn import() into require().
    const args = JSON.stringify({ streamId: shop.streamId, pin: p });
    await page.evaluate(`import('/js/checkout.js').then((m) => { void m.openCheckout(${args}); })`);
    await page.waitForSelector('[data-testid=checkout]');
  }

  it('orders the chosen quantity at the sale price, pays on the provider page and shows the result', async () => {
    const view = await pin(t, shop, { salePriceCents: 1500, saleStock: 5, perBuyerLimit: 3 });
    await open(view);
    // The title is text, never markup.
    expect(await page.locator('[data-testid=checkout] h2').textContent()).toBe('Sale <b>Lamp</b>');
    await page.fill('input[aria-label=Quantity]', '2');
    await page.click('text=Place order');
    const frame = page.frameLocator('iframe[title=Payment]');
    await frame.locator('#pay:not([disabled])').click();
    await page.waitForSelector('[data-status=paid]', { timeout: 15000 });
    const orders = await t.sql<{ status: string; total_cents: string; idempotency_key: string }>(
      'SELECT status, total_cents, idempotency_key FROM orders WHERE buyer_id = $1',
      [buyer.id],
    );
    expect(orders).toEqual([{ status: 'paid', total_cents: '3000', idempotency_key: expect.any(String) }]);
    expect(await stockOf(t, shop.productId)).toBe(8);
  });

  it('shows the refusal when the sale is sold out, naming the product', async () => {
    const view = await pin(t, shop, { salePriceCents: 1500, saleStock: 1 });
    const other = await t.user('viewer');
    await t.http
      .post('/api/orders')
      .set('Authorization', `Bearer ${other.token}`)
      .set('Idempotency-Key', 'first-come')
      .send({ streamId: shop.streamId, items: [{ productId: shop.productId, quantity: 1 }] })
      .expect(201);
    await open(view);
    await page.click('text=Place order');
    await page.waitForSelector('.co-msg:text("Flash sale sold out")');
    expect(await page.locator('.co-msg').textContent()).toBe('Flash sale sold out: "Sale <b>Lamp</b>"');
  });
});
