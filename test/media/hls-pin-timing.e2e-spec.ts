import { createProduct, linkStreamer, pin } from '../support/shop';
import { createStream } from '../support/streams';
import { playOverHls, useHlsInChromium } from './hls-support';

/**
 * Pins are timed to the video: an HLS viewer, seconds behind live, sees the
 * product overlay when their video reaches the moment it was pinned (from
 * EXT-X-PROGRAM-DATE-TIME), never before.
 */
describe('HLS-timed product pins in Chromium', () => {
  const hls = useHlsInChromium();

  it('shows the overlay only once the video reaches the pin time', async () => {
    const { f, browser } = hls;
    const { t, streamer } = f;
    const merchant = await t.user('merchant');
    await linkStreamer(t, merchant, streamer);
    const productId = await createProduct(t, merchant, {
      title: 'Timed phone',
      priceCents: 19900,
      stock: 10,
    });
    const stream = await createStream(t, streamer, { title: 'Pin timing', merchantId: merchant.id });
    await f.publish(stream, { width: 320, height: 240 });
    await f.waitSegments(stream.id, '240p', 1);

    const page = await browser.newPage();
    await playOverHls(page, t.baseUrl, stream.id);
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

    const { pinnedAt: at } = await pin(t, { merchant, streamer, productId, streamId: stream.id });
    const pinnedAt = Date.parse(at as string);
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
