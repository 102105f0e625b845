import { CHROMIUM_ARGS, useChromium } from '../support/browser';
import { type TestUser, useTestApp } from '../support/test-app';

/**
 * The sign-in page's `next` parameter: `/login?next=/\evil.example/x` and
 * `/login?next=/%09/evil.example` sent the browser to another host after
 * signing in. Only paths of this site are followed now. Every request to
 * another host is aborted inside the browser (and no name resolves), so the
 * test never leaves loopback whatever the page does.
 */
describe('sign-in page redirect', () => {
  const browser = useChromium();
  const t = useTestApp({ redis: false });
  let user: TestUser;

  beforeAll(async () => {
    user = await t.user('viewer');
  });

  it.each([
    ['/\\evil.example/x', '/'],
    ['/%09/evil.example', '/'],
    ['//evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/\t/evil.example', '/'],
    ['/orders?x=1#top', '/orders?x=1#top'],
  ])(
    'next=%j goes to %s of this site',
    async (next, expected) => {
      expect(CHROMIUM_ARGS).toContain('--disable-background-networking');
      const context = await browser.newContext({ baseURL: t.baseUrl });
      const elsewhere: string[] = [];
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        elsewhere.push(url.href);
        return route.abort();
      });
      const page = await context.newPage();
      try {
        await page.goto(`/login?next=${encodeURIComponent(next).replace(/%25/g, '%')}`);
        await page.fill('#login input[name=email]', user.email);
        await page.fill('#login input[name=password]', 'password-123');
        await Promise.all([
          page
            .waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 10_000 })
            .catch(() => undefined),
          page.click('#login button[type=submit]'),
        ]);
        await page.waitForTimeout(200);
        expect(elsewhere).toEqual([]);
        const at = new URL(page.url());
        expect(at.origin).toBe(t.baseUrl);
        expect(`${at.pathname}${at.search}${at.hash}`).toBe(expected);
      } finally {
        await context.close();
      }
    },
    30_000,
  );
});
