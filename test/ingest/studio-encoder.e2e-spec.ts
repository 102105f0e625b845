import type { Browser, Page } from 'playwright-core';
import { launchChromium, signedInPage } from '../support/browser';
import { encoderPool } from '../support/encoder-pool';
import { startIngestApp, type IngestApp } from '../support/encoders';
import { eventually } from '../support/wait';

/**
 * The studio page for a streamer who goes live from OBS over RTMP or SRT: the
 * server URLs to paste beside the WHIP URL, then the encoder's state, with
 * the B-frames warning and its one-line fix when OBS sends them (its x264
 * default).
 */
describe('the studio with an RTMP/SRT encoder', () => {
  let f: IngestApp;
  let browser: Browser;
  let page: Page;
  const encode = encoderPool();

  beforeAll(async () => {
    f = await startIngestApp({ redis: false });
    browser = await launchChromium();
    page = await signedInPage(browser, f.t, f.streamer);
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  const text = (selector: string) =>
    page
      .locator(selector)
      .allTextContents()
      .then((t) => t.join(' ').replace(/\s+/g, ' ').trim());

  it('shows the RTMP and SRT URLs without the key, then the live encoder and its B-frames fix', async () => {
    const s = await f.newStream();
    await page.goto('/studio');
    await page.getByText('Stream from OBS or an encoder').click();
    await eventually(
      async () =>
        (await page
          .getByLabel('RTMP server')
          .inputValue()
          .catch(() => '')) === s.rtmpUrl,
      15_000,
      'the RTMP server URL',
    );
    // The key was never in this browser: the SRT URL is the server's, the key goes after ?streamid=.
    expect(await page.getByLabel('SRT URL').inputValue()).toBe(s.srtUrl);
    expect(await text('lc-studio')).not.toContain(s.streamKey);

    encode({ url: `${s.rtmpUrl}/${s.streamKey}`, bframes: 2 });
    await f.waitView(
      s.id,
      (x) => x.ingest?.state === 'live' && x.ingest.bFrames,
      30_000,
      'live with B-frames',
    );
    // The studio reads its encoder every few seconds, and shows the stream live as the encoder made it.
    await eventually(
      async () => /Encoder \(RTMP\): live/.test(await text('#encoder-state')),
      15_000,
      'shown live',
    );
    await eventually(async () => (await text('#broadcast-state')) === 'live', 15_000, 'the live badge');
    await eventually(async () => /B-frames to 0/i.test(await text('.alert.warn')), 15_000, 'the fix');
    expect(await text('#encoder-state')).toContain('WebRTC viewers get a converted copy');
    await page.screenshot({ path: 'test-results/screenshots/studio-encoder.png', fullPage: true });
  });
});
