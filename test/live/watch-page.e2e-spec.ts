import type { Browser, Page } from 'playwright-core';
import { pinView, publishToRoom } from '../support/room';
import { launchChromium, signIn } from '../support/browser';
import { createStream } from '../support/streams';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app';
import { ask, join, LiveClients } from '../support/live-client';

const XSS = '<img src=x onerror=alert(1)>';

/** The watch page in real Chromium: chat as text, the overlay, the like button. */
describe('watch page in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let streamer: TestUser;
  let viewer: TestUser;
  let streamId: string;
  let page: Page;
  let dialogs: string[];
  const clients = new LiveClients();

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
    streamer = await t.user('streamer');
    viewer = await t.user('viewer', 'Mallory');
  });
  beforeEach(async () => {
    streamId = (await createStream(t, streamer, { title: 'Browser test' })).id;
    page = await browser.newPage();
    dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterEach(async () => {
    clients.disconnectAll();
    await page.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows markup sent to the chat as text, running nothing', async () => {
    await signIn(page, viewer.token, {
      id: viewer.id,
      email: viewer.email,
      name: 'Mallory',
      roles: viewer.roles,
    });
    await page.goto(`${t.baseUrl}/watch/${streamId}`);
    await page.locator('#chat input').waitFor();
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent === '1 watching');
    // From the page's own form...
    await page.fill('#chat input', XSS);
    await page.click('#chat button[type=submit]');
    // ...and from another client.
    const other = await clients.connect(t.baseUrl, (await t.user('viewer', '<b>Eve</b>')).token);
    await join(other, streamId);
    await ask(other, 'chat:send', { text: `${XSS} <script>alert(2)</script>` });
    const lines = page.locator('#chat .lc-line .lc-text');
    await lines.nth(1).waitFor();
    expect(await lines.allTextContents()).toEqual([XSS, `${XSS} <script>alert(2)</script>`]);
    expect(await page.locator('#chat .lc-name').allTextContents()).toEqual(['Mallory', '<b>Eve</b>']);
    expect(await page.locator('#chat img, #chat script, #chat b').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  it('shows a pinned product with its sale price, the original struck through, a countdown and units left', async () => {
    await page.route('**/js/checkout.js', (r) => r.fulfill({ status: 404, body: 'not here' }));
    await page.goto(`${t.baseUrl}/watch/${streamId}`);
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent === '1 watching');
    const pin = pinView(streamId, {
      title: 'Aurora <X>',
      currency: 'USD',
      priceCents: 69900,
      salePriceCents: 59900,
      remaining: 12,
      saleStock: 20,
      perBuyerLimit: 1,
      endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
    await publishToRoom(t, streamId, { event: 'product:pinned', data: { pin } });
    const card = page.locator('#overlay .lc-card');
    await card.waitFor();
    expect(await card.locator('.lc-title').textContent()).toBe('Aurora <X>');
    expect(await card.locator('.lc-price span').textContent()).toBe('$599.00');
    expect(await card.locator('.lc-price s').textContent()).toBe('$699.00');
    expect(await card.locator('.lc-countdown').textContent()).toMatch(/^Ends in [45]:\d\d$/);
    expect(await card.locator('.lc-left').textContent()).toBe('12 left');
    await publishToRoom(t, streamId, { event: 'stock', data: { productId: pin.productId, remaining: 3 } });
    await page.waitForFunction(() => document.querySelector('#overlay .lc-left')?.textContent === '3 left');
    await card.locator('button').click();
    await page.waitForFunction(() =>
      document.querySelector('#overlay .lc-msg')?.textContent?.includes('Checkout is not available'),
    );
    await publishToRoom(t, streamId, { event: 'product:unpinned', data: { pinId: pin.pinId } });
    await page.waitForFunction(() => document.querySelector('#overlay')?.childElementCount === 0);
  });

  it('calls openCheckout from /js/checkout.js with the stream and the pin', async () => {
    await page.route('**/js/checkout.js', (r) =>
      r.fulfill({
        contentType: 'text/javascript',
        body: 'export function openCheckout(args) { window.__checkout = JSON.stringify(args); }',
      }),
    );
    const pin = pinView(streamId, { title: 'Mug', currency: 'EUR', priceCents: 1500, remaining: 4 });
    await page.goto(`${t.baseUrl}/watch/${streamId}`);
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent === '1 watching');
    await publishToRoom(t, streamId, { event: 'product:pinned', data: { pin } });
    await page.locator('#overlay .lc-card button').click();
    const handle = await page.waitForFunction(
      () => (window as unknown as { __checkout?: string }).__checkout,
    );
    expect(JSON.parse((await handle.jsonValue()) as string)).toEqual({ streamId, pin });
    expect(await page.locator('#overlay .lc-price s').count()).toBe(0);
  });

  it('floats hearts and counts likes when the like button is clicked', async () => {
    await page.goto(`${t.baseUrl}/watch/${streamId}`);
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent === '1 watching');
    const like = page.locator('.lc-react .lc-like');
    for (let i = 0; i < 3; i++) await like.click();
    expect(await page.locator('#hearts .lc-heart').count()).toBeGreaterThan(0);
    await page.waitForFunction(() => document.querySelector('.lc-react .lc-like span')?.textContent === '3');
  });
});
