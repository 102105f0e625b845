import type { Page } from 'playwright-core';
import { signedInPage, useChromium } from '../support/browser';
import { bearer, type TestUser, useTestApp } from '../support/test-app';
import { createProduct, linkStreamer } from '../support/shop';
import { pastOrder, pinAt, stream } from './fixtures';

const money = (cents: number, currency: string) => {
  const f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  return f.format(cents / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
};

/** Distinct colours in a canvas and how many pixels have the GMV bar colour. */
async function canvasInk(
  page: Page,
  id: string,
): Promise<{ colours: number; gmvPixels: number; width: number }> {
  return page.evaluate((cid) => {
    const c = document.getElementById(cid) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    let gmv = 0;
    for (let i = 0; i < d.length; i += 4) {
      seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (d[i] === 0xff && d[i + 1] === 0x3b && d[i + 2] === 0x6b) gmv++;
    }
    return { colours: seen.size, gmvPixels: gmv, width: c.width };
  }, id);
}

describe('the /merchant/reports dashboard in Chromium', () => {
  const browser = useChromium();
  const t = useTestApp();
  let merchant: TestUser;
  let showId: string;

  beforeAll(async () => {
    merchant = await t.user('merchant');
    const streamer = await t.user('streamer');
    const buyers = [await t.user('viewer'), await t.user('viewer')];
    await linkStreamer(t, merchant, streamer);
    const lamp = await createProduct(t, merchant, { title: 'Lamp', priceCents: 2500, currency: 'USD' });
    const mug = await createProduct(t, merchant, {
      title: 'Mug <b>bold</b>',
      priceCents: 900,
      currency: 'USD',
    });
    const day = 86_400_000;
    showId = await stream(t, merchant, streamer, {
      title: 'Spring <script>alert(1)</script>',
      startedAt: new Date(Date.now() - 3 * day),
      endedAt: new Date(Date.now() - 3 * day + 7200_000),
    });
    const pin = await pinAt(
      t,
      showId,
      lamp,
      streamer,
      new Date(Date.now() - 3 * day),
      new Date(Date.now() - 3 * day + 3600_000),
    );
    await t.sql(`INSERT INTO stream_stats (stream_id, peak_viewers, unique_viewers) VALUES ($1, 12, 50)`, [
      showId,
    ]);
    for (let i = 0; i < 12; i++) {
      await pastOrder(t, {
        merchant,
        buyer: buyers[i % 2],
        currency: 'USD',
        at: new Date(Date.now() - (i % 6) * day - 3 * 3600_000),
        streamId: i % 3 === 0 ? showId : undefined,
        pinId: i % 3 === 0 ? pin : undefined,
        status: i % 4 === 0 ? 'paid' : i % 4 === 1 ? 'refunded' : 'pending_payment',
        lines: [{ productId: i % 2 ? mug : lamp, quantity: 1 + (i % 3), unitPriceCents: i % 2 ? 900 : 2500 }],
      });
    }
  });

  it('draws the charts and shows the same numbers as the API', async () => {
    const page = await signedInPage(browser, t, merchant);
    const gmvResponse = page.waitForResponse((r) => r.url().includes('/api/reports/gmv'));
    await page.goto('/merchant/reports');
    const pageReport = (await (await gmvResponse).json()) as {
      currency: string;
      buckets: { gmvCents: number; paidCents: number; netCents: number; orders: number; units: number }[];
    };
    await page.waitForSelector('body[data-streams-loaded="true"]');

    // The chart has bars in the GMV colour and more than a background and a grid.
    const ink = await canvasInk(page, 'gmv-chart');
    expect(ink.width).toBeGreaterThan(100);
    expect(ink.gmvPixels).toBeGreaterThan(200);
    expect(ink.colours).toBeGreaterThan(10);

    // KPIs are the sums of the buckets the API sent, and equal an independent API call.
    const sum = (k: 'gmvCents' | 'paidCents' | 'netCents' | 'orders' | 'units') =>
      pageReport.buckets.reduce((s, b) => s + b[k], 0);
    expect(await page.textContent('#kpi-gmv')).toBe(money(sum('gmvCents'), 'USD'));
    expect(await page.textContent('#kpi-paid')).toBe(money(sum('paidCents'), 'USD'));
    expect(await page.textContent('#kpi-net')).toBe(money(sum('netCents'), 'USD'));
    expect(await page.textContent('#kpi-orders')).toBe(String(sum('orders')));
    const direct = await t.sql<{ gmv: string }>(
      `SELECT sum(total_cents) AS gmv FROM orders WHERE merchant_id = $1 AND status <> 'expired'`,
      [merchant.id],
    );
    expect(sum('gmvCents')).toBe(Number(direct[0].gmv));

    // The stream table matches GET /api/reports/streams, and user text stays text.
    const api = (await t.http.get('/api/reports/streams').set(bearer(merchant)).expect(200)).body as {
      items: {
        streamId: string;
        title: string;
        gmvCents: number;
        orders: number;
        units: number;
        buyers: number;
        aovCents: number;
        conversion: number;
      }[];
    };
    const row = page.locator(`#streams tr[data-stream-id="${showId}"] td`);
    const cells = await row.allTextContents();
    const s = api.items.find((x) => x.streamId === showId)!;
    expect(cells[0]).toBe('Spring <script>alert(1)</script>');
    expect(cells.slice(1, 6)).toEqual([
      money(s.gmvCents, 'USD'),
      String(s.orders),
      String(s.units),
      String(s.buyers),
      money(s.aovCents, 'USD'),
    ]);
    expect(cells[8]).toBe(`${(s.conversion * 100).toFixed(1)}%`);

    // Selecting the stream draws its products chart and lists pinned time against pinned GMV.
    await page.click(`#streams tr[data-stream-id="${showId}"]`);
    await page.waitForSelector(`body[data-detail-loaded="${showId}"]`);
    const detail = (await t.http.get(`/api/reports/streams/${showId}`).set(bearer(merchant)).expect(200))
      .body as {
      topProducts: { productId: string; gmvCents: number; pinnedGmvCents: number; pinnedSeconds: number }[];
    };
    for (const p of detail.topProducts) {
      const c = await page.locator(`#products tr[data-product-id="${p.productId}"] td`).allTextContents();
      expect(c[1]).toBe(money(p.gmvCents, 'USD'));
      expect(c[6]).toBe(money(p.pinnedGmvCents, 'USD'));
    }
    const lampLine = detail.topProducts.find((p) => p.pinnedSeconds > 0)!;
    expect(lampLine.pinnedSeconds).toBe(3600);
    expect((await canvasInk(page, 'products-chart')).gmvPixels).toBeGreaterThan(50);
    expect(await page.locator('script:has-text("alert(1)")').count()).toBe(0);

    // The screenshot is not blank either.
    const png = await page.locator('#gmv-chart').screenshot();
    expect(png.length).toBeGreaterThan(3000);
    await page.context().close();
  });
});
