import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApp, TestUser } from './test-app';

/** Chromium as the project's browser tests run it (Debian's package, headless, loopback only). */
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

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** A page signed in as `user` (the pages keep the session in localStorage). */
export async function signedInPage(browser: Browser, t: TestApp, user: TestUser): Promise<Page> {
  const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${user.token}`).expect(200);
  const context = await browser.newContext({ baseURL: t.baseUrl });
  await context.addInitScript(
    ([token, u]) => {
      localStorage.setItem('livecart.token', token);
      localStorage.setItem('livecart.user', u);
    },
    [user.token, JSON.stringify(me.body)] as const,
  );
  return context.newPage();
}
