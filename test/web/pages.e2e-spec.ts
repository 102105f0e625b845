import type { Page } from 'playwright-core';
import { signedInPage, useChromium } from '../support/browser';
import { createShop, orderFromStream } from '../support/shop';
import { endStream } from '../support/streams';
import { type TestUser, useTestApp } from '../support/test-app';

/**
 * The pages' own defects, each fixed in the rebuilt front end (client-demo/src),
 * in real Chromium: the shop, its orders, the header, the watch page's edge
 * cases and the studio's pin panel.
 */
describe('pages in Chromium', () => {
  const browser = useChromium();
  const t = useTestApp({ redis: false });
  let merchant: TestUser;
  let viewer: TestUser;
  const pages: Page[] = [];

  beforeAll(async () => {
    merchant = await t.user('merchant');
    viewer = await t.user('viewer');
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context().close();
  });

  const open = async (user: TestUser | null, path: string): Promise<Page> => {
    const page = user
      ? await signedInPage(browser, t, user)
      : await (await browser.newContext({ baseURL: t.baseUrl })).newPage();
    pages.push(page);
    await page.goto(path);
    return page;
  };

  it("lists the shop's orders on the first load of /merchant/orders", async () => {
    const shop = await createShop(t, { title: 'Kettle', priceCents: 3500 });
    await orderFromStream(t, viewer, shop, 2).expect(201);
    const errors: string[] = [];
    const page = await signedInPage(browser, t, shop.merchant);
    pages.push(page);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/merchant/orders');
    const row = page.locator('#orders tr[data-order]');
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('2 × Kettle');
    expect(await row.locator('td').nth(2).textContent()).toBe('$70.00');
    expect(errors).toEqual([]);
  });

  it('takes prices in major units: 25.00 USD is 2500 cents, 1500 JPY is 1500 yen', async () => {
    const page = await open(merchant, '/merchant');
    await page.fill('#product-form input[name=title]', 'Desk lamp');
    await page.fill('#product-form input[name=price]', '25.00');
    await page.fill('#product-form input[name=stock]', '4');
    await page.click('#product-submit');
    await page.locator('#products tr:has-text("Desk lamp")').waitFor();
    expect(await page.locator('#products tr:has-text("Desk lamp") td').nth(2).textContent()).toBe('$25.00');
    await page.fill('#product-form input[name=title]', 'Teacup');
    await page.selectOption('#product-form select[name=currency]', 'JPY');
    expect(await page.getAttribute('#product-form input[name=price]', 'step')).toBe('1');
    await page.fill('#product-form input[name=price]', '1.5');
    await page.fill('#product-form input[name=stock]', '3');
    await page.click('#product-submit');
    // An amount the currency cannot have is refused beside the field, in words.
    expect(await page.textContent('#price-error')).toBe('JPY has no decimals: enter a whole amount.');
    await page.fill('#product-form input[name=price]', '1500');
    await page.click('#product-submit');
    await page.locator('#products tr:has-text("Teacup")').waitFor();
    const rows = await t.sql<{ title: string; price_cents: number; currency: string }>(
      'SELECT title, price_cents, currency FROM products WHERE merchant_id = $1 ORDER BY title',
      [merchant.id],
    );
    expect(rows).toEqual([
      { title: 'Desk lamp', price_cents: 2500, currency: 'USD' },
      { title: 'Teacup', price_cents: 1500, currency: 'JPY' },
    ]);
    expect(await page.locator('#products tr:has-text("Teacup") td').nth(2).textContent()).toBe('¥1,500');
  });

  it('links each role to its pages in the header', async () => {
    const links = async (page: Page) => page.locator('lc-header nav a').allTextContents();
    expect(await links(await open(viewer, '/'))).toEqual(['My orders', 'API']);
    expect(await links(await open(merchant, '/'))).toEqual([
      'Shop',
      'Orders',
      'Reports',
      'Webhooks',
      'My orders',
      'API',
    ]);
    expect(await links(await open(null, '/'))).toEqual(['Sign in', 'API']);
  });

  it('draws disabled buttons differently from enabled ones', async () => {
    const page = await open(viewer, '/login');
    const look = (disabled: boolean) =>
      page.evaluate((d) => {
        const b = document.createElement('button');
        b.textContent = 'Buy';
        b.disabled = d;
        document.body.append(b);
        const s = getComputedStyle(b);
        return { bg: s.backgroundColor, color: s.color, cursor: s.cursor, border: s.borderStyle };
      }, disabled);
    const on = await look(false);
    const off = await look(true);
    expect(off.bg).not.toBe(on.bg);
    expect(off.color).not.toBe(on.color);
    expect(off.cursor).toBe('not-allowed');
    expect(off.border).toBe('dashed');
  });

  it('shows a not-found page for an unknown stream, without chat or reactions', async () => {
    const page = await open(viewer, '/watch/00000000-0000-4000-8000-000000000000');
    await page.locator('[data-testid=not-found] h1:text("Stream not found")').waitFor();
    expect(await page.locator('#chat, lc-chat, lc-reactions, livecart-player').count()).toBe(0);
    expect(await page.title()).toBe('Stream not found · livecart');
    const garbage = await open(viewer, '/watch/not-a-stream');
    await garbage.locator('[data-testid=not-found]').waitFor();
  });

  it('plays an ended stream as a replay with controls, with its final figures instead of viewers', async () => {
    const shop = await createShop(t);
    await endStream(t, shop.streamer, shop.streamId);
    const page = await open(viewer, `/watch/${shop.streamId}`);
    await page.locator('#status:text("Ended")').waitFor();
    await page.locator('#chat .chat-head').waitFor();
    await page.locator('#viewers:text("at the peak")').waitFor();
    expect(await page.textContent('#viewers')).toBe('0 viewers at the peak · 0 viewers in all · 0 hearts');
    expect(await page.locator('#chat .chat-head').textContent()).not.toContain('watching');
    expect(
      await page.evaluate(
        () => document.querySelector('livecart-player')!.shadowRoot!.querySelector('video')!.controls,
      ),
    ).toBe(true);
    expect(await page.locator('#chat input[aria-label="Chat message"]').isDisabled()).toBe(true);
  });

  it("shows in the studio which product is pinned, takes a flash sale's per-buyer limit, and shows pin errors plainly", async () => {
    const shop = await createShop(t, { title: 'Lamp', priceCents: 2000, stock: 10 });
    const page = await open(shop.streamer, '/studio');
    const row = page.locator('lc-pin-panel tr:has-text("Lamp")');
    await row.waitFor();
    expect(await page.locator('[data-testid=current-pin]').isHidden()).toBe(true);

    // A sale of more units than there are: the server's refusal, prominent and in words.
    await page.fill('lc-pin-panel input[name=salePrice]', '15');
    await page.fill('lc-pin-panel input[name=saleStock]', '999');
    await row.locator('button:text("Pin")').click();
    const alert = page.locator('lc-pin-panel .alert.error[role=alert]');
    await alert.filter({ hasText: 'not that many units' }).waitFor();
    expect((await alert.textContent())?.trim()).toBe(
      'Could not pin Lamp: There are not that many units in stock for the sale.',
    );
    expect(await alert.evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(14);

    await page.fill('lc-pin-panel input[name=saleStock]', '5');
    await page.fill('lc-pin-panel input[name=perBuyerLimit]', '2');
    await row.locator('button:text("Pin")').click();
    await page.locator('[data-testid=current-pin]:has-text("Pinned now: Lamp")').waitFor();
    expect(await page.textContent('[data-testid=current-pin]')).toContain('limit 2 per buyer');
    expect(await row.locator('.badge').textContent()).toBe('Pinned');
    const pins = await t.http.get(`/api/streams/${shop.streamId}/pins`).expect(200);
    expect(pins.body.items.at(-1)).toMatchObject({ salePriceCents: 1500, saleStock: 5, perBuyerLimit: 2 });

    // A reload still shows it (read from the server, not remembered by the page).
    await page.reload();
    await page.locator('[data-testid=current-pin]:has-text("Pinned now: Lamp")').waitFor();
    await page.click('[data-testid=current-pin] button:text("Unpin")');
    await page.locator('[data-testid=current-pin]').waitFor({ state: 'hidden' });
  });
});
