import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import {
  CHROMIUM_ARGS,
  fillCheckoutAddress,
  launchChromium,
  playerPast,
  signedInPage,
} from '../support/browser';
import { publishOverWhip, type Peers } from '../support/ingest';
import { ask, join, LiveClients } from '../support/live-client';
import { ADDRESS, createProduct, linkStreamer, orderFromStream, pay, pin, type Shop } from '../support/shop';
import { createStream } from '../support/streams';
import { bearer, startTestApp, type TestApp, type TestUser } from '../support/test-app';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const AXE = require.resolve('axe-core/axe.min.js');
const LIGHTHOUSE_CLI = path.join(ROOT, 'node_modules/lighthouse/cli/index.js');
/** Artefacts of the run, not compared: one screenshot per page and size, Lighthouse's report. */
const SHOTS = path.join(ROOT, 'test-results/screenshots/quality');
const REPORTS = path.join(ROOT, 'test-results/lighthouse');

/** The two sizes of issue 24's bars: a phone and a laptop. */
const SIZES = [
  { name: '390x844', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  { name: '1366x768', viewport: { width: 1366, height: 768 }, isMobile: false, hasTouch: false },
] as const;
type Size = (typeof SIZES)[number];

/** A violation as the test reports it: what to fix and where. */
function describeViolations(results: AxeResults): string[] {
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]\n` +
        v.nodes.map((n) => `    at ${n.target.join(' >> ')}: ${n.failureSummary ?? ''}`).join('\n'),
    );
}

/**
 * axe-core on the page as it is now, its frames included (the payment page is one), with every
 * rule axe enables by default. The pages' CSP refuses inline scripts, so the contexts that run
 * it bypass CSP (BrowserContextOptions.bypassCSP) for addScriptTag to work.
 */
async function axeViolations(page: Page): Promise<string[]> {
  for (const frame of page.frames()) await frame.addScriptTag({ path: AXE });
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: Document): Promise<AxeResults> } }).axe.run(document),
  );
  return describeViolations(results);
}

/** What the test reads of Lighthouse's JSON report (lighthouse/types/lhr). */
interface LighthouseReport {
  lighthouseVersion: string;
  runWarnings: string[];
  categories: Record<
    string,
    { title: string; score: number | null; auditRefs: { id: string; weight: number }[] }
  >;
  audits: Record<
    string,
    {
      title: string;
      score: number | null;
      scoreDisplayMode: string;
      displayValue?: string;
      numericValue?: number;
    }
  >;
}

/**
 * The front end's quality bars (issue 24 §3) with the real tools, on pages in the state a user
 * sees them: a stream live from a WHIP publisher (LL-HLS transcoded), its product pinned with a
 * flash sale, chat going, paid orders in the shop. axe-core finds no serious or critical
 * violation on the home, watch (phone and desktop), checkout (each step of a real order, the
 * payment page in its frame), studio, merchant and reports pages; Lighthouse scores the phone
 * watch page ≥ 0.9 for accessibility and best practices, and prints its performance score with
 * what cost points (a speed figure that moves with the machine's load, not asserted:
 * docs/benchmarks/web.md has the figures and the target); each page leaves a screenshot at
 * 390×844 and 1366×768 in test-results/screenshots/quality/.
 *
 * A media test (the loopback-only namespace of `npm run test:media`) because the stream is
 * really live: WebRTC must not leave loopback, and neither must Lighthouse.
 */
describe('quality bars: accessibility (axe-core), Lighthouse, screenshots', () => {
  let t: TestApp;
  let browser: Browser;
  let shop: Shop;
  let streamId: string;
  const peers: Peers = [];
  const sockets = new LiveClients();
  const pages: Page[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.mkdirSync(REPORTS, { recursive: true });
    t = await startTestApp({
      redis: false,
      // One small rendition: the machine that runs this also runs Chromium and Lighthouse.
      env: { MEDIASOUP_NUM_WORKERS: '1', HLS_LADDER: '240p:240:300', HLS_POSTER_SECONDS: '1' },
    });
    browser = await launchChromium();
    const merchant = await t.user('merchant', 'Casa Linho');
    const streamer = await t.user('streamer', 'Rita');
    const productId = await createProduct(t, merchant, { title: 'Linen shirt', priceCents: 4000, stock: 50 });
    await createProduct(t, merchant, { title: 'Linen scarf', priceCents: 1900, stock: 12 });
    await linkStreamer(t, merchant, streamer);
    const stream = await createStream(t, streamer, { title: 'Linen week', merchantId: merchant.id });
    streamId = stream.id;
    shop = { merchant, streamer, productId, streamId };
    await publishOverWhip(t, stream, peers);
    await pin(t, shop, {
      salePriceCents: 3200,
      saleStock: 30,
      perBuyerLimit: 2,
      endsAt: new Date(Date.now() + 20 * 60_000).toISOString(),
    });
    const chatter = await sockets.connect(t.baseUrl, (await t.user('viewer', 'Ada')).token);
    await join(chatter, streamId);
    for (const text of ['Hi from Lisbon', 'Is it pre-washed?', 'Just bought two!'])
      await ask(chatter, 'chat:send', { text });
    // Paid orders: the shop's orders and reports have rows and figures.
    for (const quantity of [2, 1]) {
      const buyer = await t.user('viewer', `Buyer ${quantity}`);
      const placed = await orderFromStream(t, buyer, shop, quantity).expect(201);
      const id = placed.body.id as string;
      await t.http
        .put(`/api/orders/${id}/shipping`)
        .set(bearer(buyer))
        .send({ address: ADDRESS })
        .expect(200);
      await pay(t, buyer, id);
    }
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context().close();
  });
  afterAll(async () => {
    sockets.disconnectAll();
    for (const p of peers.splice(0)) p.close();
    await browser?.close();
    await t?.close();
  });

  /** A page at `size`, signed in as `user` (anonymous when null). */
  async function open(user: TestUser | null, size: Size, url: string): Promise<Page> {
    const options: BrowserContextOptions = {
      viewport: size.viewport,
      isMobile: size.isMobile,
      hasTouch: size.hasTouch,
      bypassCSP: true,
    };
    const page = user
      ? await signedInPage(browser, t, user, options)
      : await (await browser.newContext({ ...options, baseURL: t.baseUrl })).newPage();
    pages.push(page);
    await page.goto(url);
    return page;
  }

  /** The page's screenshot at its size, then axe's serious and critical violations on it. */
  async function check(page: Page, name: string, size: Size): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}-${size.name}.png`) });
    expect({ page: `${name} at ${size.name}`, violations: await axeViolations(page) }).toEqual({
      page: `${name} at ${size.name}`,
      violations: [],
    });
  }

  /** The watch page with the stream playing, its pin and its chat shown. */
  async function watching(page: Page): Promise<void> {
    await page.locator('#overlay .lc-card button:not([disabled])').waitFor({ timeout: 20_000 });
    await page.locator('#chat .lc-line').nth(2).waitFor();
    await playerPast(page, 0.5, { timeout: 30_000 });
  }

  const PAGES: {
    name: string;
    user: () => TestUser | null;
    url: () => string;
    ready: (page: Page) => Promise<void>;
  }[] = [
    {
      name: 'home',
      user: () => null,
      url: () => '/',
      ready: (page) => page.locator(`#streams [data-stream-id="${streamId}"]`).waitFor(),
    },
    { name: 'watch', user: () => null, url: () => `/watch/${streamId}`, ready: watching },
    {
      name: 'studio',
      user: () => shop.streamer,
      url: () => '/studio',
      ready: (page) => page.locator('lc-pin-panel tr:has-text("Linen shirt") .badge').waitFor(),
    },
    {
      name: 'merchant',
      user: () => shop.merchant,
      url: () => '/merchant',
      ready: (page) => page.locator('#streamers tr:has-text("Rita")').waitFor(),
    },
    {
      name: 'merchant-orders',
      user: () => shop.merchant,
      url: () => '/merchant/orders',
      ready: (page) => page.locator('#orders tr[data-order]').nth(1).waitFor(),
    },
    {
      name: 'reports',
      user: () => shop.merchant,
      url: () => '/merchant/reports',
      ready: (page) => page.locator(`#streams tr[data-stream-id="${streamId}"]`).waitFor(),
    },
  ];

  for (const p of PAGES) {
    it(`finds no serious or critical axe violation on the ${p.name} page at 390×844 and 1366×768`, async () => {
      for (const size of SIZES) {
        const page = await open(p.user(), size, p.url());
        await p.ready(page);
        await check(page, p.name, size);
      }
    });
  }

  it('finds none in the checkout of a real order, step by step, at 390×844 and 1366×768', async () => {
    for (const size of SIZES) {
      // A new buyer each time: the address step then asks for a new address.
      const buyer = await t.user('viewer', `Checkout ${size.name}`);
      const page = await open(buyer, size, `/watch/${streamId}`);
      await watching(page);
      await page.click('#overlay .lc-card button:not([disabled])');
      await page.locator('[data-testid=checkout] .co-total').waitFor();
      await check(page, 'checkout-1-quantity', size);

      await page.click('#co-next:not([disabled])');
      await page.locator('#co-address input[name=name]').waitFor();
      await check(page, 'checkout-2-address', size);

      await fillCheckoutAddress(page, {
        name: 'Ana Lima',
        line1: 'Rua das Flores 12',
        city: 'Porto',
        postalCode: '4050-262',
        country: 'PT',
      });
      await page.click('#co-pay');
      const provider = page.frameLocator('iframe.payment');
      await provider.locator('#pay:not([disabled])').waitFor();
      await check(page, 'checkout-3-payment', size);

      await provider.locator('#pay').click();
      await page.locator('[data-testid=checkout] [data-status=paid]').waitFor();
      await check(page, 'checkout-4-paid', size);
    }
  });

  /** One Lighthouse run on the phone watch page; its reports (JSON, HTML) are `${base}.report.*`. */
  async function lighthouse(base: string): Promise<{ lhr: LighthouseReport; stderr: string }> {
    // Lighthouse's own Chromium (chrome-launcher, a new profile each run: a viewer's first visit)
    // with the project's flags, Lighthouse's defaults otherwise: a mobile form factor, simulated
    // throttling.
    const { stderr } = await run(
      process.execPath,
      [
        LIGHTHOUSE_CLI,
        `${t.baseUrl}/watch/${streamId}`,
        '--only-categories=performance,accessibility,best-practices',
        '--output=json',
        '--output=html',
        `--output-path=${base}`,
        `--chrome-flags=${CHROMIUM_ARGS.join(' ')}`,
        '--quiet',
      ],
      {
        env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
        timeout: 150_000,
      },
    ).catch((e: Error & { stderr?: string }) => {
      throw new Error(`Lighthouse failed: ${e.message}\n${e.stderr ?? ''}`);
    });
    return { lhr: JSON.parse(fs.readFileSync(`${base}.report.json`, 'utf8')) as LighthouseReport, stderr };
  }

  /** Every scored audit below 0.9 of the three categories, with its value: what lost points. */
  function lostPoints(lhr: LighthouseReport): string[] {
    return Object.entries(lhr.categories).flatMap(([category, c]) =>
      c.auditRefs
        .map((ref) => ({ ref, audit: lhr.audits[ref.id] }))
        .filter(
          ({ audit }) =>
            audit &&
            audit.score !== null &&
            audit.score < 0.9 &&
            ['binary', 'numeric', 'metricSavings'].includes(audit.scoreDisplayMode),
        )
        .map(
          ({ ref, audit }) =>
            `${category}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''} score ${audit.score} weight ${ref.weight}`,
        ),
    );
  }

  /** Lighthouse runs on the phone watch page; the median of them (by performance) is reported. */
  const LIGHTHOUSE_RUNS = 1;
  const METRICS = [
    'first-contentful-paint',
    'largest-contentful-paint',
    'total-blocking-time',
    'cumulative-layout-shift',
    'speed-index',
  ];

  it(
    'scores the phone watch page ≥ 0.9 in Lighthouse for accessibility and best practices, and prints its performance',
    async () => {
      // Performance is printed, not asserted: simulated throttling multiplies what this shared 2-core
      // VM takes, and a live page never finishes loading for Lighthouse (hls.js's requests go on),
      // so it traces 45 s of playback and a busy moment anywhere in them costs points
      // (docs/benchmarks/web.md has repeated runs: 0.70-0.90 under load). One run keeps the test
      // short; raise LIGHTHOUSE_RUNS to print the median of several, as Lighthouse's guidance on
      // variability has it.
      const runs: { lhr: LighthouseReport; stderr: string }[] = [];
      for (let i = 0; i < LIGHTHOUSE_RUNS; i++)
        runs.push(await lighthouse(path.join(REPORTS, `watch-phone-${i + 1}`)));
      const score = (lhr: LighthouseReport, id: string): number | null => lhr.categories[id]?.score ?? null;
      const byPerformance = [...runs].sort(
        (a, b) => (score(a.lhr, 'performance') ?? 0) - (score(b.lhr, 'performance') ?? 0),
      );
      const median = byPerformance[Math.floor(LIGHTHOUSE_RUNS / 2)];
      console.log(
        `Lighthouse ${median.lhr.lighthouseVersion} on the phone watch page, ${LIGHTHOUSE_RUNS} run(s):\n` +
          runs
            .map(
              ({ lhr }, i) =>
                `run ${i + 1}: ${['performance', 'accessibility', 'best-practices'].map((id) => `${id} ${score(lhr, id)}`).join(', ')}; ` +
                METRICS.map((id) => `${id} ${lhr.audits[id]?.displayValue ?? '?'}`).join(', ') +
                lhr.runWarnings.map((w) => `\n  warning: ${w}`).join(''),
            )
            .join('\n') +
          `\nWhat lost points in the median run (${runs.indexOf(median) + 1}):\n` +
          lostPoints(median.lhr).join('\n') +
          (median.stderr ? `\n${median.stderr}` : ''),
      );
      // Accessibility and best practices do not depend on the machine's speed: each run must pass.
      const below = runs.flatMap(({ lhr }, i) =>
        ['accessibility', 'best-practices']
          .filter((id) => (score(lhr, id) ?? 0) < 0.9)
          .map((id) => `run ${i + 1}: ${id} ${score(lhr, id)}: ${lostPoints(lhr).join('; ')}`),
      );
      expect(score(median.lhr, 'performance')).not.toBeNull();
      expect(below).toEqual([]);
    },
    LIGHTHOUSE_RUNS * 180_000,
  );
});
