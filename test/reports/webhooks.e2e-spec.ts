import { PUBSUB } from '../../src/infra/infra.module';
import type { PubSub } from '../../src/infra/pubsub';
import { OrdersRepository } from '../../src/orders/orders.repository';
import { verifyWebhook } from '../../src/common/crypto/webhook-signature';
import { STREAM_LIFECYCLE_CHANNEL } from '../../src/room/channels';
import { createShop, orderFromStream, type Shop } from '../support/shop';
import { eventually } from '../support/wait';
import { bearer, startTestApp, type TestApp, type TestUser } from '../support/test-app';
import { webhookReceiver, type WebhookReceiver } from '../support/webhooks';

describe.each([
  ['BullMQ on Redis', true],
  ['the in-process queue', false],
])('merchant webhooks (%s)', (_name, redis) => {
  let t: TestApp;
  let shop: Shop;
  let buyer: TestUser;
  let rx: WebhookReceiver;

  beforeAll(async () => {
    // `/flaky` fails the first two tries of each delivery, `/down` always fails.
    rx = await webhookReceiver((path, attempt) => path === '/down' || (path === '/flaky' && attempt <= 2));
    t = await startTestApp({
      redis,
      env: {
        ORDER_RATE_BURST: '100',
        // With Redis the app leaves queues to worker processes unless told to run them itself.
        RUN_WORKERS_IN_PROCESS: 'true',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_BACKOFF_MS: '100',
        WEBHOOK_MAX_ATTEMPTS: '3',
        REPORTS_FOLD_MS: '100',
      },
    });
    shop = await createShop(t, { stock: 100, priceCents: 1200 });
    buyer = await t.user('viewer');
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  const register = (u: TestUser, body: Record<string, unknown>) =>
    t.http.post('/api/merchant/webhooks').set(bearer(u)).send(body);
  const deliveries = async (id: string) =>
    (await t.http.get(`/api/merchant/webhooks/${id}/deliveries`).set(bearer(shop.merchant)).expect(200))
      .body as {
      items: {
        event: string;
        status: string;
        attempts: number;
        lastStatusCode: number | null;
        eventId: string;
      }[];
      total: number;
    };

  it('refuses URLs that are not http(s) and events it does not know, naming the field', async () => {
    const a = await register(shop.merchant, { url: 'ftp://127.0.0.1/x', events: ['order.paid'] }).expect(400);
    expect(a.body.error.message).toMatch(/url/);
    const b = await register(shop.merchant, { url: `${rx.url}/ok`, events: ['order.shipped'] }).expect(400);
    expect(b.body.error.message).toMatch(/events/);
    await register(buyer, { url: `${rx.url}/ok`, events: ['order.paid'] }).expect(403);
  });

  it('signs each delivery with HMAC-SHA256 over "<timestamp>.<body>" with the secret shown once', async () => {
    const created = await register(shop.merchant, {
      url: `${rx.url}/ok`,
      events: ['order.created', 'order.paid', 'order.refunded'],
    }).expect(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const list = await t.http.get('/api/merchant/webhooks').set(bearer(shop.merchant)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(secret);

    const o = await orderFromStream(t, buyer, shop, 2).expect(201);
    const repo = t.app.get(OrdersRepository);
    expect(await repo.move(o.body.id as string, 'pending_payment', 'paid')).toBe(true);
    expect(await repo.release([o.body.id as string], 'paid', 'refunded')).toHaveLength(1);

    const mine = () => rx.got.filter((r) => r.path === '/ok' && r.body.includes(o.body.id as string));
    await eventually(() => mine().length === 3);
    const types = mine()
      .map((r) => (JSON.parse(r.body) as { type: string }).type)
      .sort();
    expect(types).toEqual(['order.created', 'order.paid', 'order.refunded']);
    for (const r of mine()) {
      const ts = Number(r.headers['x-livecart-timestamp']);
      expect(r.headers['x-livecart-signature']).toMatch(new RegExp(`^t=${ts},v1=[0-9a-f]{64}$`));
      expect(() =>
        verifyWebhook(
          secret,
          Buffer.from(r.body),
          r.headers['x-livecart-signature'],
          Math.floor(Date.now() / 1000),
          300,
        ),
      ).not.toThrow();
      expect(() =>
        verifyWebhook(
          'whsec_wrong',
          Buffer.from(r.body),
          r.headers['x-livecart-signature'],
          Math.floor(Date.now() / 1000),
          300,
        ),
      ).toThrow();
    }
    const paid = JSON.parse(mine().find((r) => r.body.includes('"order.paid"'))!.body) as {
      data: { order: { totalCents: number; currency: string; streamId: string } };
    };
    expect(paid.data.order).toMatchObject({ totalCents: 2400, currency: 'USD', streamId: shop.streamId });
    await eventually(async () =>
      (await deliveries(created.body.id as string)).items.every((d) => d.status === 'succeeded'),
    );
    const log = await deliveries(created.body.id as string);
    expect(log.total).toBe(3);
    expect(log.items.map((d) => [d.status, d.attempts, d.lastStatusCode])).toEqual([
      ['succeeded', 1, 204],
      ['succeeded', 1, 204],
      ['succeeded', 1, 204],
    ]);
  });

  it('retries a failing receiver with backoff until it answers, and marks a dead one failed after the last attempt', async () => {
    const flaky = await register(shop.merchant, {
      url: `${rx.url}/flaky`,
      events: ['stream.started'],
    }).expect(201);
    const down = await register(shop.merchant, { url: `${rx.url}/down`, events: ['stream.started'] }).expect(
      201,
    );
    const event = {
      streamId: shop.streamId,
      status: 'live',
      ownerId: shop.streamer.id,
      merchantId: shop.merchant.id,
    };
    // Every replica hears the lifecycle channel; the event id makes it one delivery per webhook.
    await t.app.get<PubSub>(PUBSUB).publish(STREAM_LIFECYCLE_CHANNEL, event);
    await t.app.get<PubSub>(PUBSUB).publish(STREAM_LIFECYCLE_CHANNEL, event);

    await eventually(
      async () => (await deliveries(flaky.body.id as string)).items[0]?.status === 'succeeded',
    );
    const f = await deliveries(flaky.body.id as string);
    expect(f.total).toBe(1);
    expect(f.items[0]).toMatchObject({
      event: 'stream.started',
      eventId: `stream.started:${shop.streamId}`,
      attempts: 3,
      lastStatusCode: 204,
    });

    await eventually(async () => (await deliveries(down.body.id as string)).items[0]?.status === 'failed');
    expect((await deliveries(down.body.id as string)).items[0]).toMatchObject({
      attempts: 3,
      lastStatusCode: 503,
    });
    expect(rx.got.filter((r) => r.path === '/down')).toHaveLength(3);
  });

  it("keeps a merchant out of another merchant's webhooks", async () => {
    const w = await register(shop.merchant, { url: `${rx.url}/ok`, events: ['stream.ended'] }).expect(201);
    const other = await t.user('merchant');
    await t.http.get(`/api/merchant/webhooks/${w.body.id}/deliveries`).set(bearer(other)).expect(403);
    await t.http.delete(`/api/merchant/webhooks/${w.body.id}`).set(bearer(other)).expect(403);
    const theirs = await t.http.get('/api/merchant/webhooks').set(bearer(other)).expect(200);
    expect(theirs.body.items).toEqual([]);
    await t.http.delete(`/api/merchant/webhooks/${w.body.id}`).set(bearer(shop.merchant)).expect(204);
    await t.http.get(`/api/merchant/webhooks/${w.body.id}/deliveries`).set(bearer(shop.merchant)).expect(404);
  });
});
