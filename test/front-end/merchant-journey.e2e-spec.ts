import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, signedInPage } from '../support/browser';
import { testPicture } from '../../media/images/fixtures';
import { createShop, orderFromStream, pin, type Shop, pay, shipTo } from '../support/shop';
import { bearer, startTestApp, type TestApp, type TestUser } from '../support/test-app';
import { webhookReceiver } from '../support/webhooks';
import { eventually } from '../support/wait';

const SHOTS = path.resolve(__dirname, '../../test-results/screenshots/merchant');

/**
 * The shop's side of a sale, through the pages only (issue 22): the merchant
 * invites a streamer by email, sees the orders on the first load, fulfils one
 * with carrier and tracking, refunds part of it after confirming, exports what
 * is left to ship; the buyer sees tracking and the refund in My orders and pays
 * a declined order again; the merchant adds a webhook and test-sends; a product
 * gets a description and a picture and has its page. Orders are made through
 * the API (the buyer's checkout is tested with the watch page). Each step leaves
 * a screenshot in test-results/screenshots/merchant/. The steps run in order and
 * build on each other.
 */
describe('the merchant pages in Chromium: a sale from invitation to refund', () => {
  let t: TestApp;
  let browser: Browser;
  let rx: Awaited<ReturnType<typeof webhookReceiver>>;
  let shop: Shop;
  let buyer: TestUser;
  let shipped: string; // paid, then fulfilled and partly refunded
  let waiting: string; // paid, still to ship (the CSV)
  let declined: string; // its payment was declined
  let merchantPage: Page;
  const errors: string[] = [];

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  const placePaid = async (outcome: 'succeed' | 'fail', quantity: number): Promise<string> => {
    const placed = await orderFromStream(t, buyer, shop, quantity).expect(201);
    const id = placed.body.id as string;
    await shipTo(t, buyer, id).expect(200);
    await pay(t, buyer, id, outcome);
    return id;
  };

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    rx = await webhookReceiver();
    t = await startTestApp({
      redis: false,
      env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_BACKOFF_MS: '50', WEBHOOK_MAX_ATTEMPTS: '2' },
    });
    browser = await launchChromium();
    shop = await createShop(t, { title: 'Kettle', priceCents: 3500, stock: 20 });
    buyer = await t.user('viewer', 'Ana Lima');
    shipped = await placePaid('succeed', 2);
    waiting = await placePaid('succeed', 1);
    declined = await placePaid('fail', 1);
    merchantPage = await signedInPage(browser, t, shop.merchant);
    merchantPage.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await rx?.close();
  });

  it('invites a streamer by email and shows the invitation until it is answered', async () => {
    const streamer = await t.user('streamer', 'Bo Streams');
    const page = merchantPage;
    await page.goto('/merchant');
    await page.fill('#invite-form input[name=email]', 'not an email');
    await page.click('#invite-form button[type=submit]');
    expect(await page.textContent('#invite-error')).toBe("Enter the streamer's email address.");

    await page.fill('#invite-form input[name=email]', streamer.email);
    await page.click('#invite-form button[type=submit]');
    const row = page.locator(`#invitations tr:has-text("${streamer.email}")`);
    await row.locator('text=waiting for an answer').waitFor();
    await shot(page, '01-invitation-sent');

    // The streamer sees it (their studio is another page) and accepts.
    const open = await t.http.get('/api/streamer/invitations').set(bearer(streamer)).expect(200);
    expect(open.body.items).toHaveLength(1);
    await t.http
      .post(`/api/streamer/invitations/${open.body.items[0].id}/accept`)
      .set(bearer(streamer))
      .expect(200);
    await page.reload();
    await row.locator('text=accepted').waitFor();
    expect(await row.textContent()).toContain('(Bo Streams)');
    await page.locator('#streamers tr:has-text("Bo Streams")').waitFor();
    await shot(page, '02-invitation-accepted');
  });

  it('lists the orders on the first load and opens one with buyer, address, payment and timeline', async () => {
    const page = merchantPage;
    await page.goto('/merchant/orders');
    const row = page.locator(`#orders tr[data-order="${shipped}"]`);
    await row.waitFor();
    expect(await page.locator('#orders tr[data-order]').count()).toBe(3);
    expect(await row.locator('td').nth(1).textContent()).toBe('2 × Kettle');
    expect(await row.locator('td').nth(2).textContent()).toBe('$70.00');
    expect(await row.locator('td').nth(4).textContent()).toBe('Ana Lima');

    await row.locator('button:text("Details")').click();
    const detail = page.locator(`#order-detail[data-order="${shipped}"]`);
    await detail.waitFor();
    expect(await detail.locator('[data-testid=buyer-email]').textContent()).toBe(buyer.email);
    const shipsTo = (await detail.locator('[data-testid=ship-to]').innerText()).split('\n');
    expect(shipsTo).toEqual([
      'Ana Lima',
      '12 Harbour Road',
      'Flat 3',
      '4000-123 Porto',
      'PT',
      '+351 912 345 678',
    ]);
    expect(await detail.locator('[data-testid=payments]').textContent()).toContain('$70.00 via simulated');
    const events = await detail
      .locator('[data-testid=timeline] li')
      .evaluateAll((li) => li.map((e) => e.getAttribute('data-event')));
    expect(events).toEqual(expect.arrayContaining(['placed', 'shipping_added', 'paid']));
    await shot(page, '03-order-detail');
    expect(errors).toEqual([]);
  });

  it('fulfils with carrier and tracking number in a dialog', async () => {
    const page = merchantPage;
    const row = page.locator(`#orders tr[data-order="${shipped}"]`);
    await row.locator('button:text("Fulfil")').click();
    const dialog = page.locator('dialog.sheet[open]');
    await dialog.locator('#fulfil-form').waitFor();
    await dialog.locator('input[name=carrier]').fill('DHL');
    await dialog.locator('input[name=trackingNumber]').fill('JD014600006281');
    await shot(page, '04-fulfil-dialog');
    await dialog.locator('#fulfil-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await row.locator('.status.fulfilled').waitFor();
    await page.locator('#order-detail [data-testid=tracking]:has-text("DHL JD014600006281")').waitFor();
    const order = await t.http.get(`/api/orders/${shipped}`).set(bearer(shop.merchant)).expect(200);
    expect(order.body.fulfilment).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD014600006281' });
    await shot(page, '05-fulfilled');
  });

  it('refunds part of the order in major units, only after confirming', async () => {
    const page = merchantPage;
    const row = page.locator(`#orders tr[data-order="${shipped}"]`);
    await row.locator('button:text("Refund")').click();
    const dialog = page.locator('dialog.sheet[open]');
    const amount = dialog.locator('input[name=amount]');
    const confirm = dialog.locator('#refund-confirm');
    // Empty means all that is left; more than that is refused beside the field.
    expect((await confirm.textContent())?.trim()).toBe('Refund $70.00');
    await amount.fill('80');
    expect(await dialog.locator('#amount-error').textContent()).toBe(
      'You can refund at most $70.00 on this order.',
    );
    expect(await confirm.isDisabled()).toBe(true);
    await amount.fill('10.00');
    expect((await confirm.textContent())?.trim()).toBe('Refund $10.00');
    expect(await dialog.locator('#refund-confirm-text').textContent()).toContain(
      '$10.00 goes back to Ana Lima. This cannot be undone.',
    );
    // Nothing was refunded while the dialog was open.
    const before = await t.http.get(`/api/orders/${shipped}`).set(bearer(shop.merchant)).expect(200);
    expect(before.body.refundedCents).toBe(0);
    await shot(page, '06-refund-confirm');

    await confirm.click();
    await dialog.waitFor({ state: 'detached' });
    await row.locator('text=$10.00 refunded').waitFor();
    const after = await t.http.get(`/api/orders/${shipped}`).set(bearer(shop.merchant)).expect(200);
    expect(after.body).toMatchObject({ status: 'fulfilled', refundedCents: 1000 });
    expect(after.body.refunds).toEqual([expect.objectContaining({ amountCents: 1000, full: false })]);
    await page.locator('#order-detail [data-testid=refunds]:has-text("$10.00")').waitFor();
    await shot(page, '07-refunded');
  });

  it('filters by status and exports the paid orders still to ship as CSV', async () => {
    const page = merchantPage;
    await page.selectOption('#order-filter select[name=status]', 'paid');
    await page.click('#order-filter button[type=submit]');
    await page.locator(`#orders tr[data-order="${shipped}"]`).waitFor({ state: 'detached' });
    expect(await page.locator('#orders tr[data-order]').count()).toBe(1);
    await page.locator(`#orders tr[data-order="${waiting}"]`).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(download.suggestedFilename()).toBe('orders-to-fulfil.csv');
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^order_id,paid_at,buyer_name,buyer_email,ship_to_name/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(waiting);
    expect(lines[1]).toContain('Ana Lima');
  });

  it('shows the buyer the tracking and the refund, and pays a declined order again without a new order', async () => {
    const page = await signedInPage(browser, t, buyer);
    await page.goto('/orders');
    const card = page.locator(`[data-order="${shipped}"]`);
    await card.locator('[data-testid=tracking]').waitFor();
    expect(await card.locator('[data-testid=tracking]').textContent()).toBe('DHL JD014600006281');
    expect(await card.locator('[data-testid=refunds] strong').textContent()).toBe('$10.00 refunded');

    const retry = page.locator(`[data-order="${declined}"]`);
    await retry.locator('[data-testid=payment-failed]').waitFor();
    await shot(page, '08-my-orders');
    const ordersBefore = await t.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM orders WHERE buyer_id = $1',
      [buyer.id],
    );
    await retry.locator('button:text("Pay again")').click();
    await page.waitForURL(/\/checkout\?/);
    const ordersAfter = await t.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM orders WHERE buyer_id = $1',
      [buyer.id],
    );
    expect(ordersAfter[0].n).toBe(ordersBefore[0].n);
    const detail = await t.http.get(`/api/orders/${declined}`).set(bearer(buyer)).expect(200);
    expect(detail.body.payments.map((p: { status: string }) => p.status).sort()).toEqual(['failed', 'open']);
    await page.context().close();
  });

  it('adds a webhook from the header link, test-sends it, and retries a failed delivery', async () => {
    const page = merchantPage;
    await page.goto('/merchant');
    await page.click('lc-header nav a:text("Webhooks")');
    await page.waitForURL(/\/merchant\/webhooks$/);
    await page.fill('#webhook-form input[name=url]', `${rx.url}/ok`);
    await page.click('#webhook-submit');
    const hook = page.locator(`[data-webhook]:has-text("${rx.url}/ok")`);
    await hook.locator('[data-testid=secret] input').waitFor();
    expect(await hook.locator('.muted').first().textContent()).toBe(
      'order.created, order.paid, order.fulfilled, order.refunded',
    );
    await hook.locator('button:text("Send test")').click();
    await hook
      .locator('[data-testid=deliveries] tr[data-status=succeeded]:has-text("webhook.test")')
      .waitFor();
    expect(await hook.locator('tr[data-status=succeeded] .delivery').textContent()).toBe(
      'Delivered (answered 204, 1 attempt)',
    );
    const got = rx.got.find((g) => g.path === '/ok');
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'webhook.test' });
    await shot(page, '09-webhook-test-sent');

    // An endpoint that is down: the test fails, and Retry sends it again once it is back.
    rx.failing.add('/down');
    await page.fill('#webhook-form input[name=url]', `${rx.url}/down`);
    await page.click('#webhook-submit');
    const down = page.locator(`[data-webhook]:has-text("${rx.url}/down")`);
    await down.locator('button:text("Send test")').click();
    const failed = down.locator('tr[data-status=failed]');
    await failed.waitFor();
    expect(await failed.locator('.delivery').textContent()).toBe('Failed: answered 503 (1 attempt)');
    await shot(page, '10-webhook-failed');
    rx.failing.delete('/down');
    await failed.locator('button:text("Retry")').click();
    await eventually(
      async () => {
        await down.locator('button:text("Refresh")').click();
        return (await down.locator('tr[data-status=succeeded]').count()) === 1;
      },
      15_000,
      'the retried delivery succeeded',
    );
    await shot(page, '11-webhook-retried');
  });

  it('gives a product a description and an uploaded picture, and shows its product page', async () => {
    await pin(t, shop);
    const page = merchantPage;
    await page.goto('/merchant');
    const row = page.locator('#products tr:has-text("Kettle")');
    await row.locator('button:text("Edit")').click();
    await page.locator('#product-form input[name=title]').waitFor();
    await page.waitForFunction(
      () =>
        (document.querySelector('#product-form input[name=title]') as HTMLInputElement).value === 'Kettle',
    );
    await page.fill(
      '#product-form textarea[name=description]',
      'Boils a litre in two minutes.\nStainless steel.',
    );
    await page.setInputFiles('#product-form input[name=picture]', {
      name: 'kettle.png',
      mimeType: 'image/png',
      buffer: testPicture('320x240'),
    });
    await shot(page, '12-product-form');
    await page.click('#product-submit');
    await page.locator('h3:text("Add a product")').waitFor();
    await eventually(async () => {
      const p = await t.http.get(`/api/products/${shop.productId}`).expect(200);
      return p.body.images.length === 1 && p.body.description.startsWith('Boils');
    });
    expect(await page.textContent('#msg')).toBe('');

    await row.locator('a:text("Kettle")').click();
    await page.waitForURL(new RegExp(`/products/${shop.productId}$`));
    await page.locator('[data-testid=description]').waitFor();
    expect(await page.locator('[data-testid=description]').innerText()).toBe(
      'Boils a litre in two minutes.\nStainless steel.',
    );
    expect(await page.textContent('[data-testid=price]')).toBe('$35.00');
    expect(await page.locator('[data-testid=stock]').textContent()).toContain('In stock');
    await page.waitForFunction(
      () => (document.querySelector('img.product-picture') as HTMLImageElement)?.naturalWidth > 0,
    );
    await page.locator(`#shown-in a[href="/watch/${shop.streamId}"]`).waitFor();
    expect(await page.title()).toBe('Kettle · livecart');
    await shot(page, '13-product-page');

    await page.goto('/products/00000000-0000-4000-8000-000000000000');
    await page.locator('[data-testid=not-found] h1:text("Product not found")').waitFor();
    expect(errors).toEqual([]);
  });
});
