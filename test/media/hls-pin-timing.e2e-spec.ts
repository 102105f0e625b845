import { linkStreamer } from '../support/links';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { segmentUris, startHlsApp, type HlsFixture } from './hls-support';

/**
 * Pins are timed to the video: an HLS viewer, seconds behind live, sees the
 * product overlay when their video reaches the moment it was pinned (from
 * EXT-X-PROGRAM-DATE-TIME), never before.
 */
describe('HLS-timed product pins in Chromium', () => {
  let f: HlsFixture;
  let browser: Browser;

  beforeAll(async () => {
    f = await startHlsApp({ redis: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.endAll();
    await f?.close();
  });

  it('shows the overlay only once the video reaches the pin time', async () => {
    const { t, streamer } = f;
    const merchant = await t.user('merchant');
    const m = { Authorization: `Bearer ${merchant.token}` };
    const s = { Authorization: `Bearer ${streamer.token}` };
    await linkStreamer(t, merchant, streamer);
    const product = await t.http
      .post('/api/products')
      .set(m)
      .send({ title: 'Timed phone', priceCents: 19900, currency: 'USD', stock: 10 })
      .expect(201);
    const created = await t.http
      .post('/api/streams')
      .set(s)
      .send({ title: 'Pin timing', merchantId: merchant.id })
      .expect(201);
    const stream = created.body as { id: string; streamKey: string };
    await f.publish(stream, { width: 320, height: 240 });
    await f.waitText(
      `/hls/${stream.id}/240p/index.m3u8`,
      (b) => segmentUris(b).length >= 1,
      30_000,
      'a segment',
    );

    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/watch/${stream.id}?mode=hls`);
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 3, undefined, {
      timeout: 30_000,
    });
    // Sample, in the page, whether the overlay shows and what wall-clock time the video shows.
    await page.evaluate(() => {
      const w = window as unknown as {
        samples: { now: number; shown: boolean; wall: number | null }[];
        player: { wallClock(): Date | null };
      };
      w.samples = [];
      setInterval(() => {
        w.samples.push({
          now: Date.now(),
          shown: (document.getElementById('overlay')?.textContent ?? '').includes('Timed phone'),
          wall: w.player.wallClock()?.getTime() ?? null,
        });
      }, 50);
    });

    const pin = await t.http
      .post(`/api/streams/${stream.id}/pins`)
      .set(s)
      .send({ productId: product.body.id })
      .expect(201);
    const pinnedAt = Date.parse((pin.body as { pinnedAt: string }).pinnedAt);
    await page.waitForFunction(
      () => (document.getElementById('overlay')?.textContent ?? '').includes('Timed phone'),
      undefined,
      { timeout: 20_000 },
    );
    // Let the 50 ms sampler record the overlay that just appeared.
    await page.waitForFunction(
      () => (window as unknown as { samples: { shown: boolean }[] }).samples.some((x) => x.shown),
      undefined,
      { timeout: 5_000 },
    );
    const samples = await page.evaluate(
      () =>
        (window as unknown as { samples: { now: number; shown: boolean; wall: number | null }[] }).samples,
    );
    await page.close();

    const first = samples.find((x) => x.shown)!;
    expect(first.wall).not.toBeNull();
    // Never before the video reaches the pin (one 50 ms sampling step of slack).
    expect(first.wall!).toBeGreaterThanOrEqual(pinnedAt - 100);
    for (const x of samples.filter((y) => y.wall !== null && y.wall < pinnedAt - 100))
      expect(x.shown).toBe(false);
    // The viewer is behind live, so the pin existed a while before this viewer saw it.
    expect(samples.some((x) => !x.shown && x.now > pinnedAt + 500)).toBe(true);
    await f.end(stream.id);
  });
});
