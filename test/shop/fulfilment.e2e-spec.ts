import { createProduct, ADDRESS, pay, placeOrder, shipTo } from '../support/shop';
import { eventually } from '../support/wait';
import { bearer, type TestUser } from '../support/test-app';
import { registerWebhook, useWebhookApp } from '../support/webhooks';

/**
 * Orders that can be shipped: saved addresses, the address an order ships
 * to (required before paying for physical goods), what the shop sees of an
 * order, fulfilment with tracking, and the list of orders to ship as CSV.
 */
describe('buyers, shipping and fulfilment', () => {
  const { t, rx } = useWebhookApp({ REPORTS_FOLD_MS: '100', ORDER_RATE_BURST: '100' });
  let merchant: TestUser;
  let lamp: string;
  let ebook: string;

  beforeAll(async () => {
    merchant = await t.user('merchant', 'Lamp Shop');
    lamp = await createProduct(t, merchant, { title: 'Lamp', priceCents: 2500, stock: 50 });
    ebook = await createProduct(t, merchant, { title: 'E-book', priceCents: 900, stock: 50, digital: true });
  });

  it('keeps a buyer’s addresses, one of them the default', async () => {
    const buyer = await t.user('viewer', 'Ana');
    const first = await t.http.post('/api/me/addresses').set(bearer(buyer)).send(ADDRESS).expect(201);
    expect(first.body).toMatchObject({ ...ADDRESS, country: 'PT', isDefault: true });
    const second = await t.http
      .post('/api/me/addresses')
      .set(bearer(buyer))
      .send({ ...ADDRESS, line1: '1 Other Street', isDefault: true })
      .expect(201);
    const profile = await t.http.get('/api/me/profile').set(bearer(buyer)).expect(200);
    expect(profile.body).toMatchObject({ name: 'Ana', email: buyer.email });
    expect(
      profile.body.addresses.map((a: { id: string; isDefault: boolean }) => [a.id, a.isDefault]),
    ).toEqual([
      [second.body.id, true],
      [first.body.id, false],
    ]);
    const patched = await t.http
      .patch(`/api/me/addresses/${first.body.id}`)
      .set(bearer(buyer))
      .send({ city: 'Braga', line2: null })
      .expect(200);
    expect(patched.body).toMatchObject({ city: 'Braga', line2: null });
    const blank = await t.http
      .patch(`/api/me/addresses/${first.body.id}`)
      .set(bearer(buyer))
      .send({ city: null })
      .expect(400);
    expect(blank.body.error.message).toBe('Enter the city.');
    const bad = await t.http
      .post('/api/me/addresses')
      .set(bearer(buyer))
      .send({ ...ADDRESS, country: 'Portugal', phone: 'call me' })
      .expect(400);
    expect(bad.body.error.message).toContain('Choose the country from the list.');
    await t.http.post('/api/me/addresses').set(bearer(buyer)).send({ name: 'x' }).expect(400);
    const other = await t.user('viewer');
    await t.http
      .patch(`/api/me/addresses/${first.body.id}`)
      .set(bearer(other))
      .send({ city: 'X' })
      .expect(404);
    await t.http.delete(`/api/me/addresses/${second.body.id}`).set(bearer(buyer)).expect(204);
    const after = await t.http.get('/api/me/addresses').set(bearer(buyer)).expect(200);
    expect(after.body.items).toEqual([expect.objectContaining({ id: first.body.id, isDefault: true })]);
  });

  it('asks for a shipping address before paying for physical goods, and keeps a copy', async () => {
    const buyer = await t.user('viewer', 'Bo');
    const orderId = await placeOrder(t, buyer, lamp, 2);
    const before = await t.http.get(`/api/orders/${orderId}`).set(bearer(buyer)).expect(200);
    expect(before.body).toMatchObject({ needsShipping: true, shipping: null, fulfilment: null });
    const refused = await t.http.post(`/api/orders/${orderId}/pay`).set(bearer(buyer)).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'shipping_required',
      message: 'Add a shipping address before paying: this order has items to ship.',
    });

    const saved = await t.http.post('/api/me/addresses').set(bearer(buyer)).send(ADDRESS).expect(201);
    const set = await shipTo(t, buyer, orderId, { addressId: saved.body.id }).expect(200);
    expect(set.body.shipping).toEqual({ ...ADDRESS, country: 'PT' });
    // The order keeps its copy when the saved address changes later.
    await t.http
      .patch(`/api/me/addresses/${saved.body.id}`)
      .set(bearer(buyer))
      .send({ city: 'Faro' })
      .expect(200);
    expect((await pay(t, buyer, orderId)).orderStatus).toBe('paid');
    const paid = await t.http.get(`/api/orders/${orderId}`).set(bearer(buyer)).expect(200);
    expect(paid.body.shipping.city).toBe('Porto');
    // Once paid, the address no longer changes.
    const late = await shipTo(t, buyer, orderId).expect(409);
    expect(late.body.error.message).toBe(
      'The shipping address can only be given or changed before the order is paid.',
    );
  });

  it('takes an address entered at checkout, saving it when asked; refuses another buyer’s', async () => {
    const buyer = await t.user('viewer');
    const orderId = await placeOrder(t, buyer, lamp);
    await shipTo(t, buyer, orderId, { address: { ...ADDRESS, country: 'DE' }, save: true }).expect(200);
    const saved = await t.http.get('/api/me/addresses').set(bearer(buyer)).expect(200);
    expect(saved.body.items).toEqual([expect.objectContaining({ country: 'DE', isDefault: true })]);
    const other = await t.user('viewer');
    await shipTo(t, other, orderId).expect(404);
    const own = await placeOrder(t, other, lamp);
    await shipTo(t, other, own, { addressId: saved.body.items[0].id }).expect(404);
    const both = await shipTo(t, other, own, { addressId: saved.body.items[0].id, address: ADDRESS }).expect(
      400,
    );
    expect(both.body.error.message).toMatch(/^Choose one of your saved addresses or enter an address/);
  });

  it('needs no address for digital goods', async () => {
    const buyer = await t.user('viewer');
    const orderId = await placeOrder(t, buyer, ebook);
    const o = await t.http.get(`/api/orders/${orderId}`).set(bearer(buyer)).expect(200);
    expect(o.body.needsShipping).toBe(false);
    expect((await pay(t, buyer, orderId)).orderStatus).toBe('paid');
  });

  it('shows the shop who bought, where it goes, the payment and the timeline; ships with tracking', async () => {
    const hook = await registerWebhook(t, merchant, `${rx.url}/fulfilled`, ['order.fulfilled']).expect(201);
    const buyer = await t.user('viewer', 'Cleo Buyer');
    const orderId = await placeOrder(t, buyer, lamp);
    await shipTo(t, buyer, orderId).expect(200);
    await pay(t, buyer, orderId);

    const list = await t.http.get('/api/merchant/orders?status=paid').set(bearer(merchant)).expect(200);
    const row = list.body.items.find((o: { id: string }) => o.id === orderId);
    expect(row).toMatchObject({
      buyer: { id: buyer.id, name: 'Cleo Buyer', email: buyer.email },
      shipping: { name: 'Ana Lima', city: 'Porto', country: 'PT', phone: '+351 912 345 678' },
      items: [expect.objectContaining({ title: 'Lamp', quantity: 1, digital: false })],
      needsShipping: true,
    });

    const shipped = await t.http
      .post(`/api/orders/${orderId}/fulfil`)
      .set(bearer(merchant))
      .send({ carrier: 'DHL', trackingNumber: 'JD0146', trackingUrl: 'https://track.example.com/JD0146' })
      .expect(200);
    expect(shipped.body).toMatchObject({
      status: 'fulfilled',
      fulfilment: {
        carrier: 'DHL',
        trackingNumber: 'JD0146',
        trackingUrl: 'https://track.example.com/JD0146',
      },
    });
    // The buyer sees the tracking, and the story of the order.
    const mine = await t.http.get(`/api/orders/${orderId}`).set(bearer(buyer)).expect(200);
    expect(mine.body.fulfilment).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD0146' });
    expect(mine.body.payments).toEqual([
      expect.objectContaining({
        provider: 'simulated',
        status: 'succeeded',
        amountCents: 2500,
        currency: 'USD',
      }),
    ]);
    expect(mine.body.timeline.map((e: { event: string }) => e.event)).toEqual([
      'placed',
      'shipping_added',
      'payment_started',
      'paid',
      'fulfilled',
    ]);
    expect(mine.body.timeline[4].text).toBe('Shipped with DHL, tracking JD0146.');

    // order.fulfilled goes to the shop's webhook with the carrier and the tracking.
    await eventually(() => rx.got.some((r) => r.path === '/fulfilled'));
    const delivery = JSON.parse(rx.got.find((r) => r.path === '/fulfilled')!.body);
    expect(delivery).toMatchObject({
      type: 'order.fulfilled',
      data: {
        order: {
          id: orderId,
          status: 'fulfilled',
          fulfilment: { carrier: 'DHL', trackingNumber: 'JD0146' },
          shipping: { city: 'Porto' },
        },
      },
    });
    await t.http.delete(`/api/merchant/webhooks/${hook.body.id}`).set(bearer(merchant)).expect(204);
    // Shipping twice, or a shipment by another shop, is refused.
    await t.http.post(`/api/orders/${orderId}/fulfil`).set(bearer(merchant)).send({}).expect(409);
    const other = await t.user('merchant');
    await t.http.post(`/api/orders/${orderId}/fulfil`).set(bearer(other)).send({}).expect(404);
    await t.http
      .post(`/api/orders/${orderId}/fulfil`)
      .set(bearer(merchant))
      .send({ trackingUrl: 'javascript:alert(1)' })
      .expect(400);
  });

  it('exports the paid orders still to ship as CSV, safe to open in a spreadsheet', async () => {
    const shop = await t.user('merchant');
    const product = await createProduct(t, shop, { title: '=HYPERLINK("x")', priceCents: 1000 });
    const buyer = await t.user('viewer', '@evil');
    const paid = await placeOrder(t, buyer, product, 3);
    await shipTo(t, buyer, paid).expect(200);
    await pay(t, buyer, paid);
    const unpaid = await placeOrder(t, buyer, product);
    const shipped = await placeOrder(t, buyer, product);
    await shipTo(t, buyer, shipped).expect(200);
    await pay(t, buyer, shipped);
    await t.http.post(`/api/orders/${shipped}/fulfil`).set(bearer(shop)).send({}).expect(200);

    const csv = await t.http.get('/api/merchant/orders/to-fulfil.csv').set(bearer(shop)).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'order_id,paid_at,buyer_name,buyer_email,ship_to_name,line1,line2,city,region,postal_code,country,phone,' +
        'product_id,sku,title,quantity,digital,order_total,currency',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(paid);
    expect(lines[1]).toContain("'@evil");
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[1]).toContain(',Porto,,4000-123,PT,');
    expect(csv.text).not.toContain(unpaid);
    expect(csv.text).not.toContain(shipped);
    await t.http.get('/api/merchant/orders/to-fulfil.csv').set(bearer(buyer)).expect(403);
  });
});
