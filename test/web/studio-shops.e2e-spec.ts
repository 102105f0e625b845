import type { Page } from 'playwright-core';
import { signedInPage, useChromium } from '../support/browser';
import { createProduct } from '../support/shop';
import { bearer, type TestUser, useTestApp } from '../support/test-app';

/**
 * Onboarding in the studio without ids: a streamer answers shops' invitations there, learns
 * what linking is for when no shop is linked, and attaches or changes a stream's shop from a
 * list until it goes live (pages/studio.ts).
 */
describe('studio: invitations and the stream shop', () => {
  const browser = useChromium();
  const t = useTestApp({ redis: false });
  const pages: Page[] = [];

  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context().close();
  });

  const invite = (merchant: TestUser, email: string) =>
    t.http.post('/api/merchant/invitations').set(bearer(merchant)).send({ email }).expect(201);

  it('declines an invitation (nothing is linked) and says what linking is for while no shop is', async () => {
    const merchant = await t.user('merchant', 'Pushy Shop');
    const streamer = await t.user('streamer');
    await invite(merchant, streamer.email);
    const page = await signedInPage(browser, t, streamer);
    pages.push(page);
    await page.goto('/studio');
    await page.locator('[data-testid=no-shop]').waitFor();
    expect(await page.textContent('[data-testid=no-shop]')).toContain(streamer.email);
    expect(await page.locator('#create-stream select[name=merchantId]').count()).toBe(0);
    await page.click('#invitations li:has-text("Pushy Shop") button:text("Decline")');
    await page.locator('#invitations').waitFor({ state: 'detached' });
    const linked = await t.http.get('/api/merchant/streamers').set(bearer(merchant)).expect(200);
    expect(linked.body.items).toEqual([]);
    const [row] = await t.sql<{ status: string }>(
      'SELECT status FROM merchant_invitations WHERE merchant_id = $1',
      [merchant.id],
    );
    expect(row?.status).toBe('declined');
  });

  it('attaches a shop to a stream made without one, then changes it, before it goes live', async () => {
    const first = await t.user('merchant', 'First Shop');
    const second = await t.user('merchant', 'Second Shop');
    const streamer = await t.user('streamer');
    await createProduct(t, first, { title: 'Teapot' });
    await createProduct(t, second, { title: 'Kettle' });
    await invite(first, streamer.email);
    await invite(second, streamer.email);
    const page = await signedInPage(browser, t, streamer);
    pages.push(page);
    await page.goto('/studio');
    for (const name of ['First Shop', 'Second Shop'])
      await page.click(`#invitations li:has-text("${name}") button:text("Accept")`);
    await page.locator('#invitations').waitFor({ state: 'detached' });

    // Made without a shop: the pin panel says how to get one.
    await page.fill('#create-stream input[name=title]', 'Morning tea');
    await page.selectOption('#create-stream select[name=merchantId]', '');
    await page.click('#create-stream button[type=submit]');
    await page.locator('lc-pin-panel :text("This stream has no shop")').waitFor();

    await page.selectOption('#stream-shop select[name=merchantId]', first.id);
    await page.click('#stream-shop button:text("Attach shop")');
    await page.locator('lc-pin-panel tr:has-text("Teapot")').waitFor();
    await page.selectOption('#stream-shop select[name=merchantId]', second.id);
    await page.click('#stream-shop button:text("Change shop")');
    await page.locator('lc-pin-panel tr:has-text("Kettle")').waitFor();
    expect(await page.locator('lc-pin-panel tr:has-text("Teapot")').count()).toBe(0);
    const mine = await t.http.get('/api/streams?mine=1').set(bearer(streamer)).expect(200);
    expect(mine.body.items[0]).toMatchObject({ merchantId: second.id, shop: { name: 'Second Shop' } });
  });
});
