import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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

/** A page signed in as `user`, as the app's own sign-in leaves it (the user is read from /api/auth/me). */
export async function signedInPage(browser: Browser, t: TestApp, user: TestUser): Promise<Page> {
  const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${user.token}`).expect(200);
  const context = await browser.newContext({ baseURL: t.baseUrl });
  await signIn(context, user.token, me.body as object);
  return context.newPage();
}
