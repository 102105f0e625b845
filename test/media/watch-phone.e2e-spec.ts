import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, playerPast, studioWithNewStream } from '../support/browser';
import { probeFile, startHlsApp, type HlsFixture } from './hls-support';

/** Where the browser tests leave their screenshots (an artefact of the run, not compared). */
const SHOTS = path.resolve('test-results', 'screenshots', 'watch');
const PHONE = { width: 390, height: 844 };

/** The phone's picture, from the watch page's player. */
function videoOf(page: Page) {
  return page.evaluate(() => {
    const player = document.querySelector('livecart-player')!;
    const v = player.shadowRoot!.querySelector('video')!;
    const box = v.getBoundingClientRect();
    return {
      currentTime: v.currentTime,
      videoWidth: v.videoWidth,
      videoHeight: v.videoHeight,
      objectFit: getComputedStyle(v).objectFit,
      portrait: player.hasAttribute('portrait'),
      box: { width: box.width, height: box.height },
    };
  });
}

/** Waits until the watch page's video has played `seconds` (of this page load). */
async function playing(page: Page, seconds = 1): Promise<void> {
  await playerPast(page, seconds, { timeout: 30_000 });
}

/**
 * A finger dragged up the screen from `fromY` to `toY` at `x`: real touch input through
 * Chromium's input pipeline (CDP Input.dispatchTouchEvent, what page.touchscreen.tap sends,
 * with moves in between), so the page sees touch pointer events as on a phone.
 */
async function swipe(page: Page, x: number, fromY: number, toY: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: fromY }] });
  for (let i = 1; i <= 8; i++)
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x, y: fromY + ((toY - fromY) * i) / 8 }],
    });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/**
 * Vertical live on a phone, end to end in Chromium: "Next live" (a swipe up on the video, or
 * the link) walks through the live streams, and a portrait studio camera reaches a 390×844
 * phone as portrait HLS that fills its screen. Screenshots in test-results/screenshots/watch/.
 */
describe('the watch page on a phone, with several and vertical live streams', () => {
  let f: HlsFixture;
  let browser: Browser;
  // Two small rungs: a 720x1280 studio camera gives 720x1280 and 360x640.
  const env = { HLS_LADDER: '720p:720:1500,360p:360:400' };

  beforeAll(async () => {
    f = await startHlsApp({ redis: false, env });
    browser = await launchChromium();
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await f?.endAll();
    await f?.close();
  });

  async function phone(url: string): Promise<Page> {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${f.t.baseUrl}${url}`);
    return page;
  }

  it('moves to the other live stream by a swipe up on the video and by the Next live link, and says when there is none', async () => {
    const first = await f.newStream();
    await f.publish(first, { width: 640, height: 360 });
    await f.waitSegments(first.id, '360p', 1);

    // Alone on air: no link, a line that says so.
    const alone = await phone(`/watch/${first.id}?mode=hls`);
    await expect(alone.locator('[data-testid=next-live-none]').textContent()).resolves.toBe(
      'No other stream is live',
    );
    expect(await alone.locator('[data-testid=next-live]').count()).toBe(0);
    await alone.screenshot({ path: path.join(SHOTS, 'phone-390x844-no-next-live.png') });
    await alone.context().close();

    const second = await f.newStream();
    await f.publish(second, { width: 640, height: 360 });
    await f.waitSegments(second.id, '360p', 1);

    const page = await phone(`/watch/${first.id}?mode=hls`);
    await playing(page);
    const link = page.locator('[data-testid=next-live]');
    await expect(link.getAttribute('aria-label')).resolves.toBe('Next live: HLS test');
    // On the right of the status row, clear of the player's own buttons below it.
    const linkBox = (await link.boundingBox())!;
    const playerBar = (await page.locator('livecart-player .bar').boundingBox())!;
    expect(linkBox.x + linkBox.width).toBeGreaterThan(PHONE.width - 30);
    expect(linkBox.y + linkBox.height).toBeLessThanOrEqual(playerBar.y);
    // A landscape stream letterboxes: the whole picture, bars above and below.
    const landscape = await videoOf(page);
    expect(landscape).toMatchObject({ portrait: false, objectFit: 'contain' });
    await page.screenshot({ path: path.join(SHOTS, 'phone-390x844-next-live.png') });

    // A drag up the chat scrolls the chat: it is no swipe (else the swipe below would go back).
    const chat = await page.locator('#chat').boundingBox();
    await swipe(page, 100, chat!.y + chat!.height / 2, chat!.y - 150);
    // A swipe up on the video opens the other stream, which plays.
    await swipe(page, PHONE.width / 2, 450, 150);
    await page.waitForURL(`${f.t.baseUrl}/watch/${second.id}?mode=hls`);
    await playing(page);
    expect((await videoOf(page)).videoWidth).toBe(640);

    // The link does the same, and the walk wraps round to the first stream.
    await page.locator('[data-testid=next-live]').click();
    await page.waitForURL(`${f.t.baseUrl}/watch/${first.id}?mode=hls`);
    await playing(page);
    await page.context().close();
    await f.end(first.id);
    await f.end(second.id);
  });

  it('takes a portrait studio camera to portrait HLS (every rung, the poster) that fills a 390×844 phone', async () => {
    await f.endAll(); // the studio shows its create form only when no stream of its streamer is open
    const studio = await studioWithNewStream(browser, f.t, f.streamer, 'Vertical drop');
    await studio.selectOption('select[name=orientation]', 'portrait');
    // Chromium's fake camera honours the size asked for: 720x1280.
    await studio.waitForFunction(
      () => {
        const v = document.getElementById('preview') as HTMLVideoElement;
        return v.videoWidth === 720 && v.videoHeight === 1280;
      },
      undefined,
      { timeout: 15_000 },
    );
    await studio.click('#go-live:not([disabled])');
    await studio.waitForFunction(
      () => document.getElementById('broadcast-state')?.textContent === 'live',
      undefined,
      { timeout: 20_000 },
    );
    const id = await studio.evaluate(
      () => (window as unknown as { studio: { stream: { id: string } } }).studio.stream.id,
    );

    // The choice is remembered: a studio opened again asks for portrait.
    const again = await studio.context().newPage();
    await again.goto('/studio');
    await expect(again.locator('select[name=orientation]').inputValue()).resolves.toBe('portrait');
    await again.close();

    // The ladder is planned from the first keyframe at the camera's size (again if it changes).
    const master = await f.waitText(
      `/hls/${id}/master.m3u8`,
      (b) => b.includes('RESOLUTION=720x1280'),
      30_000,
      'a master playlist of the 720x1280 camera',
    );
    const sizes = [...master.matchAll(/RESOLUTION=(\d+)x(\d+)/g)].map((m) => `${m[1]}x${m[2]}`);
    expect(sizes.sort()).toEqual(['360x640', '720x1280']);
    const poster = await f.waitBytes(`/hls/${id}/poster.jpg`, 30_000, 'the poster');
    expect(await probeFile(poster)).toMatchObject({ width: 360, height: 640 });

    const page = await phone(`/watch/${id}?mode=hls`);
    await playing(page, 2);
    await page.waitForFunction(() => document.querySelector('livecart-player')?.hasAttribute('portrait'));
    const v = await videoOf(page);
    expect(v.videoHeight).toBeGreaterThan(v.videoWidth);
    // The picture fills the screen: the video box is the screen, and covers it.
    expect(v).toMatchObject({ portrait: true, objectFit: 'cover' });
    expect(v.box.width).toBe(PHONE.width);
    expect(v.box.height).toBeGreaterThanOrEqual(PHONE.height * 0.95);
    await page.screenshot({ path: path.join(SHOTS, 'phone-390x844-portrait.png') });
    await page.context().close();
    await studio.context().close();
    await f.end(id);
  });
});
