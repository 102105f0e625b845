import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { useFixture } from './fixture';
import type { TestApp, TestUser } from './test-app';

/**
 * Chromium as the project's browser tests and SDP capture scripts run it (Debian's package,
 * headless): off the network, fake camera and microphone, loopback WebRTC, autoplay allowed.
 * The one list of flags; media/sdp/fixtures/*-chromium.js import it too.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/** Launches Chromium with CHROMIUM_ARGS and any `extraArgs` (e.g. a field trial). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * For a describe block: Chromium (see launchChromium), launched before its tests and closed after
 * them (see useFixture). Declared before useTestApp, it closes before the app its pages talk to.
 */
export const useChromium = (extraArgs: string[] = []): Browser =>
  useFixture(
    'useChromium',
    () => launchChromium(extraArgs),
    (browser) => browser.close(),
  );

/** The current time (s) of the video of the page's <livecart-player>, 0 before it has one. */
export function playerTime(page: Page): Promise<number> {
  return page.evaluate(
    () => document.querySelector('livecart-player')?.shadowRoot?.querySelector('video')?.currentTime ?? 0,
  );
}

/** Resolves once the video of the page's <livecart-player> has played past `seconds`; rejects after `timeout` ms. */
export async function playerPast(
  page: Page,
  seconds: number,
  { timeout, polling }: { timeout: number; polling?: number },
): Promise<void> {
  await page.waitForFunction(
    (s) =>
      (document.querySelector('livecart-player')?.shadowRoot?.querySelector('video')?.currentTime ?? 0) > s,
    seconds,
    { timeout, ...(polling ? { polling } : {}) },
  );
}

/** Types a shipping address into the checkout's form (#co-address); the country is picked by its code. */
export async function fillCheckoutAddress(
  page: Page,
  a: { name: string; line1: string; city: string; postalCode: string; country: string; phone?: string },
): Promise<void> {
  for (const field of ['name', 'line1', 'city', 'postalCode', 'phone'] as const) {
    const value = a[field];
    if (value !== undefined) await page.fill(`#co-address input[name=${field}]`, value);
  }
  await page.selectOption('#co-address select[name=country]', a.country);
}

/** What a pin's card (.lc-card, on the watch page or in the player) shows, once it is there. */
export async function pinCardText(
  card: Locator,
): Promise<Record<'title' | 'price' | 'was' | 'countdown' | 'left', string | null>> {
  await card.waitFor();
  const text = (selector: string) => card.locator(selector).textContent();
  return {
    title: await text('.lc-title'),
    price: await text('.lc-price span'),
    was: await text('.lc-price s'),
    countdown: await text('.lc-countdown'),
    left: await text('.lc-left'),
  };
}

/** Pays on the simulated provider's page inside the checkout, and waits for the checkout to say paid. */
export async function payInCheckout(page: Page): Promise<void> {
  await page.frameLocator('iframe[title=Payment]').locator('#pay:not([disabled])').click();
  await page.waitForSelector('[data-testid=checkout] [data-status=paid]', { timeout: 15_000 });
}

/** Starts the pages of `target` signed in as `user`: the pages keep the session in localStorage. */
export async function signIn(target: Page | BrowserContext, token: string, user: object): Promise<void> {
  await target.addInitScript(
    ([tk, u]) => {
      localStorage.setItem('livecart.token', tk);
      localStorage.setItem('livecart.user', u);
    },
    [token, JSON.stringify(user)] as const,
  );
}

/**
 * A page signed in as `user`, as the app's own sign-in leaves it (the user is read from
 * /api/auth/me), in a context of `options` (viewport, mobile, …).
 */
export async function signedInPage(
  browser: Browser,
  t: TestApp,
  user: TestUser,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${user.token}`).expect(200);
  const context = await browser.newContext({ ...options, baseURL: t.baseUrl });
  await signIn(context, user.token, me.body as object);
  return context.newPage();
}

/** The studio of `streamer`, with a new stream titled `title` created from its form (none of theirs may be open). */
export async function studioWithNewStream(
  browser: Browser,
  t: TestApp,
  streamer: TestUser,
  title: string,
): Promise<Page> {
  const page = await signedInPage(browser, t, streamer);
  await page.goto('/studio');
  await page.fill('#create-stream input[name=title]', title);
  await page.click('#create-stream button[type=submit]');
  return page;
}

/** What an in-page WHIP or WHEP exchange got back. */
export interface InPageExchange {
  status: number;
  location: string | null;
  offer: string;
  answer: string;
}

/**
 * In a page of webrtcPage(): makes the offer of `pc`, waits for ICE gathering (a non-trickle
 * client, as the app's own pages are), POSTs it to a WHIP or WHEP URL and applies the answer
 * when it is 201. Keeps `pc` as `window.pc`, for the test to read its stats.
 */
export type InPageNegotiate = (
  pc: RTCPeerConnection,
  url: string,
  headers: Record<string, string>,
) => Promise<InPageExchange>;

/** Runs in the page (so it may use nothing from this module): installs window.negotiate. */
function installNegotiate(): void {
  const negotiate: InPageNegotiate = async (pc, url, headers) => {
    (window as unknown as { pc: RTCPeerConnection }).pc = pc;
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 5000);
    });
    const offer = pc.localDescription!.sdp;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', ...headers },
      body: offer,
    });
    const answer = await res.text();
    if (res.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    return { status: res.status, location: res.headers.get('Location'), offer, answer };
  };
  (window as unknown as { negotiate: InPageNegotiate }).negotiate = negotiate;
}

/**
 * A page of the app's own origin with window.negotiate installed: the WHIP and WHEP POSTs are
 * same-origin, and on about:blank Chromium gathers no ICE candidate at all inside the
 * loopback-only namespace.
 */
export async function webrtcPage(browser: Browser, t: { baseUrl: string }): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(installNegotiate);
  await page.goto(`${t.baseUrl}/health`);
  return page;
}

/** Plays a stream over WHEP in a webrtcPage() as an unmodified browser player: recvonly audio and video. */
export function watchOverWhep(page: Page, streamId: string): Promise<InPageExchange> {
  return page.evaluate(async (url) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    return (window as unknown as { negotiate: InPageNegotiate }).negotiate(pc, url, {});
  }, `/whep/${streamId}`);
}
