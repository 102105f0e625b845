import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { segmentUris, startHlsApp, type HlsFixture } from './hls-support';

/** The watch page plays the LL-HLS output with hls.js in real Chromium. */
describe('watch page playing LL-HLS in Chromium', () => {
  let f: HlsFixture;
  let browser: Browser;

  beforeAll(async () => {
    f = await startHlsApp({ redis: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it('plays /watch/<id>?mode=hls: currentTime advances and the wall clock maps to the capture time', async () => {
    const stream = await f.newStream();
    await f.publish(stream, { width: 320, height: 240 });
    await f.waitText(
      `/hls/${stream.id}/240p/index.m3u8`,
      (b) => segmentUris(b).length >= 1,
      30_000,
      'a segment',
    );
    const page = await browser.newPage();
    try {
      await page.goto(`${f.t.baseUrl}/watch/${stream.id}?mode=hls`);
      await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 3, undefined, {
        timeout: 30_000,
      });
      // Past the start-up (where hls.js may stall once while it settles at the live edge), the video plays on.
      const t1 = await page.evaluate(() => document.querySelector('video')!.currentTime);
      await page.waitForTimeout(4000);
      const t2 = await page.evaluate(() => document.querySelector('video')!.currentTime);
      expect(t2).toBeGreaterThan(t1 + 2);
      const state = await page.evaluate(() => {
        const p = (window as unknown as { player: { mode: string; wallClock(): Date | null } }).player;
        return { mode: p.mode, wall: p.wallClock()?.getTime() ?? null };
      });
      expect(state.mode).toBe('hls');
      expect(state.wall).not.toBeNull();
      // Playing a second or a few behind live: the program date-time is the capture time.
      expect(Math.abs(Date.now() - state.wall!)).toBeLessThan(10_000);
    } finally {
      await page.close();
      await f.end(stream.id);
    }
  });
});
