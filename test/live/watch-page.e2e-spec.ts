import type { Page } from 'playwright-core';
import type { PinView } from '../../src/room/protocol';
import { pinCardText, signIn as signInPage, useChromium } from '../support/browser';
import { ask, join, LiveClients } from '../support/live-client';
import { pinView, publishToRoom } from '../support/room';
import { createStream } from '../support/streams';
import { type TestUser, useTestApp } from '../support/test-app';
const XSS = '<img src=x onerror=alert(1)>';

/** The watch page in real Chromium: chat as text, the overlay, the like button. */
describe('watch page in Chromium', () => {
  const browser = useChromium();
  const t = useTestApp();
  let streamer: TestUser;
  let viewer: TestUser;
  let streamId: string;
  let page: Page;
  let dialogs: string[];
  const sockets = new LiveClients();

  beforeAll(async () => {
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
    sockets.disconnectAll();
    await page.close();
  });

  const signIn = (user: TestUser) =>
    signInPage(page, user.token, { id: user.id, email: user.email, name: 'Mallory', roles: user.roles });

  it('shows markup sent to the chat as text, running nothing', async () => {
    await signIn(viewer);
    await page.goto(`${t.baseUrl}/watch/${streamId}`);
    await page.locator('#chat input').waitFor();
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent === '1 watching');
    // From the page's own form...
    await page.fill('#chat input', XSS);
    await page.click('#chat button[type=submit]');
    // ...and from another client.
    const other = await sockets.connect(t.baseUrl, (await t.user('viewer', '<b>Eve</b>')).token);
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
    // Checkout re-reads the pin from the server; this pin exists only in the room, so answer for it.
    let served: PinView | null = null;
    await page.route('**/api/streams/*/pins', (r) =>
      r.fulfill({ json: { items: served ? [{ ...served, unpinnedAt: null }] : [] } }),
    );
    await page.goto(`${t.baseUrl}/watch/${streamId}`);
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent === '1 watching');
    const pin: PinView = pinView(streamId, {
      title: 'Aurora <X>',
      currency: 'USD',
      priceCents: 69900,
      salePriceCents: 59900,
      remaining: 12,
      saleStock: 20,
      perBuyerLimit: 1,
      endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
    served = pin;
    await publishToRoom(t, streamId, { event: 'product:pinned', data: { pin } });
    const card = page.locator('#overlay .lc-card');
    expect(await pinCardText(card)).toEqual({
      title: 'Aurora <X>',
      price: '$599.00',
      was: '$699.00',
      countdown: expect.stringMatching(/^Ends in [45]:\d\d$/),
      left: '12 left',
    });
    await publishToRoom(t, streamId, {
      event: 'stock',
      data: { productId: pin.productId, remaining: 3 },
    });
    await page.waitForFunction(() => document.querySelector('#overlay .lc-left')?.textContent === '3 left');
    // Buy hands the pin to the checkout dialog (an anonymous viewer is asked to sign in).
    await card.locator('button').click();
    const dialog = page.locator('[data-testid=checkout]');
    await dialog.waitFor();
    expect(await dialog.locator('h2').textContent()).toBe('Aurora <X>');
    expect(await dialog.locator('a:text("Sign in")').getAttribute('href')).toBe(
      `/login?next=${encodeURIComponent(`/watch/${streamId}`)}`,
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await publishToRoom(t, streamId, {
      event: 'product:unpinned',
      data: { pinId: pin.pinId },
    });
    await page.waitForFunction(() => document.querySelector('#overlay')?.childElementCount === 0);
  });

  it('opens the checkout with the stream and the pin, at the price the server says', async () => {
    await signIn(viewer);
    const pin = pinView(streamId, { title: 'Mug', currency: 'EUR', priceCents: 1500, remaining: 4 });
    const asked: string[] = [];
    // The checkout asks the server for the offer now (price, sale, limit), not the room's copy.
    const offer = {
      productId: pin.productId,
      description: '',
      digital: true,
      currency: 'EUR',
      unitPriceCents: 1500,
      onSale: false,
      saleEndsAt: null,
      remaining: 4,
      perBuyerLimit: null,
      boughtUnits: 0,
      maxQuantity: 4,
    };
    await page.route('**/api/streams/*/pins/current', (r) => {
      asked.push(new URL(r.request().url()).pathname);
      return r.fulfill({ json: { pin: { ...pin, unpinnedAt: null }, offer } });
    });
    await page.goto(`${t.baseUrl}/watch/${streamId}`);
    await page.waitForFunction(() => document.querySelector('#viewers')?.textContent === '1 watching');
    await publishToRoom(t, streamId, { event: 'product:pinned', data: { pin } });
    await page.locator('#overlay .lc-card button').click();
    const dialog = page.locator('[data-testid=checkout]');
    await dialog.locator('.co-total').waitFor();
    expect(asked).toContain(`/api/streams/${streamId}/pins/current`);
    expect(await dialog.locator('h2').textContent()).toBe('Mug');
    expect(await dialog.locator('.co-total').textContent()).toBe('€15.00');
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
