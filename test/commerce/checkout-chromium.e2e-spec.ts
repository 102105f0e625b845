import type { Page } from 'playwright-core';
import { fillCheckoutAddress, payInCheckout, signIn, useChromium } from '../support/browser';
import { createShop, orderFromStream, pin, type Shop, stockOf } from '../support/shop';
import { bearer, type TestUser, useTestApp } from '../support/test-app';

/**
 * The Buy flow the watch page's overlay opens (<lc-checkout>,
 * client-demo/src/components/lc-checkout.ts) in real Chromium: quantity,
 * order, the simulated provider's page, the result.
 */
describe('checkout in Chromium', () => {
  const browser = useChromium();
  const t = useTestApp();
  let shop: Shop;
  let buyer: TestUser;
  let page: Page;

  beforeAll(async () => {
    shop = await createShop(t, { stock: 10, priceCents: 2000, title: 'Sale <b>Lamp</b>', digital: true });
    buyer = await t.user('viewer', 'Ada Lovelace');
  });
  beforeEach(async () => {
    page = await browser.newPage();
    await signIn(page, buyer.token, { id: buyer.id, name: 'Ada Lovelace', roles: buyer.roles });
    // The checkout URL is built from PUBLIC_URL (port 3000 in tests); the test
    // server listens elsewhere on loopback, so send those requests there.
    const publicUrl = t.config.http.publicUrl;
    await page.route(`${publicUrl}/**`, (route) =>
      route.continue({ url: route.request().url().replace(publicUrl, t.baseUrl) }),
    );
  });
  afterEach(() => page.close());

  /** The watch page with the pin on its overlay; Buy opens the checkout. */
  async function open(_pin: Record<string, unknown>, s: Shop = shop): Promise<void> {
    await page.goto(`${t.baseUrl}/watch/${s.streamId}`);
    await page.locator('#overlay .lc-card button:not([disabled])').click();
    await page.waitForSelector('[data-testid=checkout] .co-total');
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
    // The room would turn the overlay to "Sold out" at the next stock event; hold those
    // back so this page places its order on what it saw, and meets the server's refusal.
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (!String(m).includes('"stock"')) ws.send(m);
      });
    });
    await open(view);
    const other = await t.user('viewer');
    await orderFromStream(t, other, shop).expect(201);
    await page.click('text=Place order');
    const alert = page.locator('[data-testid=checkout] [role=alert]');
    await alert.filter({ hasText: 'Flash sale sold out' }).waitFor();
    expect((await alert.textContent())?.trim()).toBe('Flash sale sold out: "Sale <b>Lamp</b>"');
  });

  it('turns the overlay to Sold out when another buyer takes the last unit', async () => {
    const s2 = await createShop(t, { stock: 10, priceCents: 2000, title: 'Last one', digital: true });
    await pin(t, s2, { salePriceCents: 1500, saleStock: 1 });
    await page.goto(`${t.baseUrl}/watch/${s2.streamId}`);
    await page.locator('#overlay .lc-left:text("1 left")').waitFor();
    const other = await t.user('viewer');
    await orderFromStream(t, other, s2).expect(201);
    await page.locator('#overlay button:disabled:text("Sold out")').waitFor();
  });

  it('bounds the quantity by the per-buyer limit in the control, and the total counts what is shown', async () => {
    const s2 = await createShop(t, { stock: 10, priceCents: 2000, title: 'Limited', digital: true });
    await pin(t, s2, { salePriceCents: 1500, saleStock: 5, perBuyerLimit: 3 });
    await open({}, s2);
    const qty = page.locator('input[aria-label=Quantity]');
    await qty.fill('9');
    expect(await qty.inputValue()).toBe('3');
    expect(await page.textContent('.co-total')).toBe('$45.00');
    expect(await qty.getAttribute('max')).toBe('3');
    expect(await page.textContent('#co-limit')).toContain('Limit 3 per buyer');
  });

  it('drops the sale price when the sale ends while the dialog is open (re-pinned without a sale)', async () => {
    const s2 = await createShop(t, { stock: 10, priceCents: 2000, title: 'Flash', digital: true });
    await pin(t, s2, { salePriceCents: 1500, saleStock: 5 });
    await open({}, s2);
    expect(await page.textContent('[data-testid=checkout] .price')).toContain('$15.00');
    // The streamer pins the product again, at its normal price: the room says product:pinned.
    await pin(t, s2);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=checkout] .co-total')?.textContent === '$20.00',
    );
    expect(await page.locator('[data-testid=checkout] .price s').count()).toBe(0);
  });

  it('reads the sale state when it opens: a sale whose time ran out sells at the normal price', async () => {
    const s2 = await createShop(t, { stock: 10, priceCents: 2000, title: 'Brief', digital: true });
    await pin(t, s2, { salePriceCents: 1500, endsAt: new Date(Date.now() + 2500).toISOString() });
    await page.goto(`${t.baseUrl}/watch/${s2.streamId}`);
    await page.locator('#overlay .lc-countdown:text("Sale ended")').waitFor({ timeout: 10_000 });
    await page.locator('#overlay .lc-card button').click();
    await page.waitForSelector('[data-testid=checkout] .co-total');
    expect(await page.textContent('[data-testid=checkout] .co-total')).toBe('$20.00');
    await page.fill('input[aria-label=Quantity]', '2');
    await page.click('text=Place order');
    await page.frameLocator('iframe[title=Payment]').locator('#pay:not([disabled])').waitFor();
    const [order] = await t.sql<{ total_cents: string }>(
      'SELECT total_cents FROM orders WHERE stream_id = $1',
      [s2.streamId],
    );
    expect(order.total_cents).toBe('4000');
  });

  it('comes back from a declined payment to try again, and the payment page links back to the order', async () => {
    const s2 = await createShop(t, { stock: 10, priceCents: 2000, title: 'Retry', digital: true });
    await pin(t, s2);
    await open({}, s2);
    await page.click('text=Place order');
    const frame = page.frameLocator('iframe[title=Payment]');
    const back = frame.locator('#back');
    await back.waitFor();
    expect(await back.getAttribute('href')).toMatch(/^\/orders\?order=[0-9a-f-]{36}$/);
    expect(await back.getAttribute('target')).toBe('_top');
    await frame.locator('#decline:not([disabled])').click();
    await page.waitForSelector('[data-testid=checkout] [data-status=declined]');
    await page.click('[data-testid=checkout] button:text("Try again")');
    await payInCheckout(page);
  });

  it('asks where a physical product ships, saves the address to the profile, and the order keeps a copy', async () => {
    const s2 = await createShop(t, { stock: 10, priceCents: 2000, title: 'Kettle' });
    await pin(t, s2);
    await open({}, s2);
    await page.click('#co-next:text("Continue to shipping")');
    await fillCheckoutAddress(page, {
      name: 'Ada Lovelace',
      line1: '12 St James Square',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      phone: '+44 20 7946 0000',
      country: 'GB',
    });
    await page.click('#co-pay');
    await payInCheckout(page);
    const mine = await t.http.get('/api/orders?mine=1').set(bearer(buyer)).expect(200);
    const first = mine.body.items.find((o: { streamId: string }) => o.streamId === s2.streamId);
    expect(first).toMatchObject({
      status: 'paid',
      shipping: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', country: 'GB' },
    });
    const saved = await t.http.get('/api/me/addresses').set(bearer(buyer)).expect(200);
    expect(saved.body.items).toEqual([expect.objectContaining({ city: 'London', postalCode: 'SW1Y 4JH' })]);

    // The next purchase offers the saved address, already chosen: nothing to type.
    await page.click('[data-testid=checkout] header button:text("Close")');
    await page.locator('#overlay .lc-card button:not([disabled])').click();
    await page.click('#co-next:text("Continue to shipping")');
    await page.locator('#co-address input[type=radio]:checked').waitFor();
    expect(await page.locator('#co-address input[name=name]').count()).toBe(0);
    await page.click('#co-pay');
    await payInCheckout(page);
    const shipped = await t.sql<{ city: string }>(
      'SELECT sh.city FROM orders o JOIN order_shipping sh ON sh.order_id = o.id WHERE o.stream_id = $1',
      [s2.streamId],
    );
    expect(shipped).toEqual([{ city: 'London' }, { city: 'London' }]);
  });

  it('reopened on an order whose payment was declined, pays that order: no second hold', async () => {
    const s2 = await createShop(t, { stock: 10, priceCents: 2000, title: 'Again', digital: true });
    await pin(t, s2);
    await open({}, s2);
    await page.click('text=Place order');
    await page.frameLocator('iframe[title=Payment]').locator('#decline:not([disabled])').click();
    await page.waitForSelector('[data-testid=checkout] [data-status=declined]');
    // Closed, then Buy again: the same order is offered, not a new one.
    await page.click('[data-testid=checkout] header button:text("Close")');
    await page.locator('#overlay .lc-card button:not([disabled])').click();
    await page
      .locator('[data-testid=checkout] [data-status=declined]:has-text("waiting for payment")')
      .waitFor();
    await page.click('#co-retry');
    await payInCheckout(page);
    const orders = await t.sql<{ status: string }>('SELECT status FROM orders WHERE stream_id = $1', [
      s2.streamId,
    ]);
    expect(orders).toEqual([{ status: 'paid' }]);
    expect(await stockOf(t, s2.productId)).toBe(9);
  });
});
