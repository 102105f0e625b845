import { testPicture } from '../../media/images/fixtures';
import { createShop, pin } from '../support/shop';
import { type TestUser, useTestApp } from '../support/test-app';

const picture = testPicture;

/** A product page: description, digital flag, pictures (uploaded and resized), price, stock, streams that showed it. */
describe('product pages', () => {
  const t = useTestApp({ redis: false, env: { PRODUCT_IMAGE_MAX_BYTES: String(200 * 1024) } });
  let merchant: TestUser;
  const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

  beforeAll(async () => {
    merchant = await t.user('merchant');
  });

  const product = (body: Record<string, unknown>) =>
    t.http
      .post('/api/products')
      .set(auth(merchant))
      .send({ title: 'Sticker pack', priceCents: 500, currency: 'USD', stock: 10, ...body });

  it('keeps a description and a digital flag, and states the decimals of its currency', async () => {
    const p = (await product({ description: 'Ten stickers.', digital: true }).expect(201)).body;
    expect(p).toMatchObject({ description: 'Ten stickers.', digital: true, currencyDecimals: 2, images: [] });
    const yen = (await product({ priceCents: 2500, currency: 'jpy' }).expect(201)).body;
    expect(yen).toMatchObject({ currency: 'JPY', currencyDecimals: 0, priceCents: 2500, digital: false });
    const changed = await t.http
      .patch(`/api/products/${yen.id}`)
      .set(auth(merchant))
      .send({ digital: true })
      .expect(200);
    expect(changed.body.digital).toBe(true);
  });

  it('refuses a currency it does not know, and a price in fractions, in sentences', async () => {
    const bad = await product({ currency: 'ABC', priceCents: 25.5 }).expect(400);
    expect(bad.body.error.message).toContain('Choose a currency from the list');
    expect(bad.body.error.message).toContain('Enter the price in whole cents');
    const nul = await product({ title: 'a\u0000b' }).expect(400);
    expect(nul.body.error.code).toBe('nul_character');
  });

  it('stores an uploaded picture resized, serves it for ever, and lists it first', async () => {
    const p = (await product({}).expect(201)).body;
    const res = await t.http
      .post(`/api/products/${p.id}/images`)
      .set(auth(merchant))
      .set('Content-Type', 'image/png')
      .send(picture('1600x900'))
      .expect(201);
    expect(res.body.images).toHaveLength(1);
    const img = res.body.images[0];
    expect(img).toMatchObject({ width: 1200, height: 675 });
    expect(res.body.imageUrl).toBe(img.url);
    const path = (u: string) => new URL(u).pathname;
    const full = await t.http.get(path(img.url)).expect(200);
    expect(full.headers['content-type']).toBe('image/jpeg');
    expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(full.body.length).toBeGreaterThan(1000);
    await t.http.get(path(img.thumbnailUrl)).expect(200);
    // A picture given by URL still wins as the main picture.
    const withUrl = await t.http
      .patch(`/api/products/${p.id}`)
      .set(auth(merchant))
      .send({ imageUrl: 'https://cdn.example.com/a.jpg' })
      .expect(200);
    expect(withUrl.body.imageUrl).toBe('https://cdn.example.com/a.jpg');
    const removed = await t.http
      .delete(`/api/products/${p.id}/images/${img.id}`)
      .set(auth(merchant))
      .expect(200);
    expect(removed.body.images).toEqual([]);
    await t.http.get(path(img.url)).expect(404);
  });

  it('refuses what is not a picture, the wrong type, a file too large, and another shop', async () => {
    const p = (await product({}).expect(201)).body;
    const upload = (type: string, body: Buffer, who = merchant) =>
      t.http.post(`/api/products/${p.id}/images`).set(auth(who)).set('Content-Type', type).send(body);
    const garbage = await upload('image/png', Buffer.from('#EXTM3U\nfile:///etc/passwd\n')).expect(422);
    expect(garbage.body.error.code).toBe('image_unreadable');
    await upload('application/pdf', Buffer.from('%PDF-1.4')).expect(415);
    await upload('image/png', Buffer.alloc(300 * 1024, 1)).expect(413);
    const other = await t.user('merchant');
    await upload('image/jpeg', picture('64x64', 'mjpeg'), other).expect(403);
  });

  it('lists the streams that showed a product', async () => {
    const shop = await createShop(t);
    await pin(t, shop);
    const res = await t.http.get(`/api/products/${shop.productId}/streams`).expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ streamId: shop.streamId, title: 'Drop', pins: 1 }),
    ]);
  });
});
