import type { Page } from 'playwright-core';
import { embedPage, startOtherSite, type OtherSite } from '../support/other-site';
import { useHlsInChromium } from './hls-support';
import { playerPast, playerTime } from '../support/browser';

/**
 * The embeddable player on another site plays a live stream: LL-HLS by
 * default (hls.js fetched from the livecart host as a chunk beside
 * /embed.js, playlists and parts read across origins), WHEP when the page
 * asks with mode="webrtc".
 */
describe('embedded player playing a live stream from another origin', () => {
  const hls = useHlsInChromium();
  let site: OtherSite;

  beforeAll(async () => {
    site = await startOtherSite((url) =>
      embedPage(hls.f.t.baseUrl, url.searchParams.get('stream') ?? '', {
        attrs: url.searchParams.get('mode') ? `mode="${url.searchParams.get('mode')}"` : '',
      }),
    );
  });
  afterAll(() => site?.close());

  async function watch(streamId: string, mode: string): Promise<{ page: Page; requests: string[] }> {
    const page = await hls.browser.newPage();
    const requests: string[] = [];
    const console: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => console.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
    page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    await page.goto(`${site.origin}/?stream=${streamId}&mode=${mode}`);
    await playerPast(page, 3, { timeout: 30_000 }).catch((e: Error) => {
      // What the page said is what explains a player that did not play.
      throw new Error(`${e.message}\n${console.join('\n')}`);
    });
    return { page, requests };
  }

  it('plays LL-HLS with hls.js loaded from the livecart host, and keeps playing', async () => {
    const { f } = hls;
    const { stream } = await f.liveStream();
    const { page, requests } = await watch(stream.id, '');
    try {
      // Past the start-up (where hls.js may stall once while it settles at the live edge), it plays on.
      const t1 = await playerTime(page);
      await playerPast(page, t1 + 2, { timeout: 10_000, polling: 200 });
      expect(
        await page.evaluate(
          () => (document.querySelector('livecart-player') as unknown as { mode: string } | null)?.mode,
        ),
      ).toBe('hls');
      const base = f.t.baseUrl;
      expect(requests).toContain(`${base}/embed.js`);
      expect(requests.some((u) => u.startsWith(`${base}/embed/hls.light-`))).toBe(true);
      expect(requests).toContain(`${base}/hls/${stream.id}/master.m3u8`);
      // Nothing of the player's is asked of the merchant's own server but the page.
      expect(requests.filter((u) => u.startsWith(site.origin))).toEqual([
        `${site.origin}/?stream=${stream.id}&mode=`,
      ]);
    } finally {
      await page.close();
      await f.end(stream.id);
    }
  });

  it('plays over WHEP when the page asks with mode="webrtc"', async () => {
    const { f } = hls;
    const { stream } = await f.liveStream();
    const { page, requests } = await watch(stream.id, 'webrtc');
    try {
      expect(
        await page.evaluate(
          () => (document.querySelector('livecart-player') as unknown as { mode: string } | null)?.mode,
        ),
      ).toBe('webrtc');
      expect(requests).toContain(`${f.t.baseUrl}/whep/${stream.id}`);
    } finally {
      await page.close();
      await f.end(stream.id);
    }
  });
});
