import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { ask, join, LiveClients } from '../support/live-client';
import { createShop, pin, type Shop } from '../support/shop';
import { startTestApp, type TestApp } from '../support/test-app';

/** Where the browser tests leave their screenshots (an artefact of the run, not compared). */
const SHOTS = path.resolve('test-results', 'screenshots', 'watch');

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The watch page's two layouts in Chromium (client-demo/src/styles/livecart.css (body.watch)):
 * a phone gets a full-height player with everything overlaid on it, a desktop
 * keeps the chat beside the player. Screenshots of both land in
 * test-results/screenshots/watch/. And the share tags a chat app reads.
 */
describe('watch page layout', () => {
  let t: TestApp;
  let browser: Browser;
  let shop: Shop;
  const sockets = new LiveClients();

  beforeAll(async () => {
    t = await startTestApp({ redis: false });
    browser = await launchChromium();
    shop = await createShop(t, { stock: 10, priceCents: 4900, title: 'Ceramic mug', digital: true });
    await t.sql(`UPDATE streams SET title = 'Morning <pottery> drop' WHERE id = $1`, [shop.streamId]);
    await pin(t, shop, {
      salePriceCents: 3900,
      saleStock: 8,
      endsAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const chatter = await sockets.connect(t.baseUrl, (await t.user('viewer', 'Ada')).token);
    await join(chatter, shop.streamId);
    for (const text of ['Hi from Lisbon', 'Is the glaze food safe?', 'Just bought two!'])
      await ask(chatter, 'chat:send', { text });
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    sockets.disconnectAll();
    await browser?.close();
    await t?.close();
  });

  async function open(width: number, height: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, isMobile: width < 640 });
    const page = await context.newPage();
    await page.goto(`${t.baseUrl}/watch/${shop.streamId}`);
    await page.locator('#overlay .lc-card').waitFor();
    await page.locator('#chat .lc-line').nth(2).waitFor();
    return page;
  }

  const box = async (page: Page, selector: string): Promise<Box> => {
    const b = await page.locator(selector).first().boundingBox();
    if (!b) throw new Error(`${selector} is not shown`);
    return b;
  };
  const inside = (a: Box, b: Box): boolean =>
    a.x >= b.x - 1 &&
    a.y >= b.y - 1 &&
    a.x + a.width <= b.x + b.width + 1 &&
    a.y + a.height <= b.y + b.height + 1;

  it('fills a 390×844 phone with the player and lays title, reactions, pin and chat over it', async () => {
    const page = await open(390, 844);
    const player = await box(page, 'livecart-player');
    expect(player.width).toBe(390);
    expect(player.height).toBeGreaterThanOrEqual(844 * 0.95);
    const title = await box(page, '#title');
    const chat = await box(page, '#chat');
    const card = await box(page, '#overlay .lc-card');
    const like = await box(page, 'lc-reactions .lc-like');
    for (const b of [title, chat, card, like]) expect(inside(b, player)).toBe(true);
    expect(title.y).toBeLessThan(60);
    expect(chat.y + chat.height).toBeGreaterThan(844 - 10);
    // The card sits above the chat, the reactions on the right edge.
    expect(card.y + card.height).toBeLessThanOrEqual(chat.y + 20);
    expect(like.x).toBeGreaterThan(390 - 70);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'phone-390x844.png') });
    // Buy opens the checkout as a sheet along the bottom of the screen.
    await page.locator('#overlay .lc-card button').click();
    const sheet = await box(page, '[data-testid=checkout]');
    expect(sheet.width).toBe(390);
    expect(Math.round(sheet.y + sheet.height)).toBe(844);
    await page.screenshot({ path: path.join(SHOTS, 'phone-390x844-checkout.png') });
    await page.context().close();
  });

  it('keeps the chat beside the player at 1366×768', async () => {
    const page = await open(1366, 768);
    const player = await box(page, 'livecart-player');
    const chat = await box(page, '#chat');
    expect(chat.x).toBeGreaterThanOrEqual(player.x + player.width);
    expect(player.width / player.height).toBeCloseTo(16 / 9, 1);
    expect(await box(page, 'lc-header')).toBeTruthy();
    await page.screenshot({ path: path.join(SHOTS, 'desktop-1366x768.png') });
    await page.context().close();
  });

  it('gives a shared link its title and poster for previews (Open Graph, Twitter card), as text, and the player its poster', async () => {
    await t.sql(`UPDATE streams SET status = 'live' WHERE id = $1`, [shop.streamId]);
    const res = await t.http.get(`/watch/${shop.streamId}`).expect(200);
    const poster = `${t.baseUrl}/hls/${shop.streamId}/poster.jpg`;
    // The player shows it until the first frame; the head fetches it with the page.
    expect(res.text).toContain(`<link rel="preload" as="image" fetchpriority="high" href="${poster}" />`);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${t.baseUrl}/watch/${shop.streamId}`);
    const video = page.locator('livecart-player video');
    await video.waitFor({ state: 'attached' });
    expect(await video.getAttribute('poster')).toBe(poster);
    await page.context().close();
    expect(res.text).toContain('<meta property="og:title" content="Morning &lt;pottery&gt; drop" />');
    expect(res.text).toContain(`<meta property="og:image" content="${poster}" />`);
    expect(res.text).toContain('<meta name="twitter:card" content="summary_large_image" />');
    expect(res.text).toContain(`<meta property="og:url" content="${t.baseUrl}/watch/${shop.streamId}" />`);
    expect(res.text).toContain('<title>Morning &lt;pottery&gt; drop · livecart</title>');
    expect(res.text).not.toContain('<pottery>');
    // An unknown stream gets the page as built (its own not-found view), without tags.
    const unknown = await t.http.get('/watch/00000000-0000-4000-8000-000000000000').expect(200);
    expect(unknown.text).not.toContain('og:title');
  });
});
