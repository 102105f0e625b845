import { roomChannel } from '../../src/room/channels';
import type { RoomEvent } from '../../src/room/protocol';
import { PUBSUB } from '../../src/infra/infra.module';
import type { PubSub } from '../../src/infra/pubsub';
import { linkStreamer } from '../support/links';
import type { TestApp, TestUser } from '../support/test-app';

/** A merchant with a product, a linked streamer and a started stream selling it. */
export interface Shop {
  merchant: TestUser;
  streamer: TestUser;
  productId: string;
  streamId: string;
}

let keySeq = 0;
/** A fresh Idempotency-Key. */
export const newKey = (): string => `k-${Date.now().toString(36)}-${++keySeq}`;

export async function createProduct(
  t: TestApp,
  merchant: TestUser,
  p: { title?: string; priceCents?: number; currency?: string; stock?: number; digital?: boolean } = {},
): Promise<string> {
  const res = await t.http
    .post('/api/products')
    .set('Authorization', `Bearer ${merchant.token}`)
    .send({
      title: p.title ?? 'Aurora X',
      priceCents: p.priceCents ?? 69900,
      currency: p.currency ?? 'USD',
      stock: p.stock ?? 100,
      ...(p.digital !== undefined && { digital: p.digital }),
    })
    .expect(201);
  return res.body.id as string;
}

export async function createShop(
  t: TestApp,
  opts: { stock?: number; priceCents?: number; title?: string; started?: boolean; digital?: boolean } = {},
): Promise<Shop> {
  const merchant = await t.user('merchant');
  const streamer = await t.user('streamer');
  const productId = await createProduct(t, merchant, {
    stock: opts.stock,
    priceCents: opts.priceCents,
    title: opts.title,
    digital: opts.digital,
  });
  await linkStreamer(t, merchant, streamer);
  const s = await t.http
    .post('/api/streams')
    .set('Authorization', `Bearer ${streamer.token}`)
    .send({ title: 'Drop', merchantId: merchant.id })
    .expect(201);
  const streamId = s.body.id as string;
  if (opts.started ?? true) {
    // Going live needs a WHIP publisher, and the ingest sweep ends "live" streams
    // without one; the order path only needs started_at (stream time) and a
    // status other than ended, so the stream stays "created" with a start time.
    await t.sql(`UPDATE streams SET started_at = now() - interval '90 seconds' WHERE id = $1`, [streamId]);
  }
  return { merchant, streamer, productId, streamId };
}

export async function pin(
  t: TestApp,
  shop: Shop,
  body: Record<string, unknown> = {},
  as: TestUser = shop.streamer,
): Promise<{ pinId: string; [k: string]: unknown }> {
  const res = await t.http
    .post(`/api/streams/${shop.streamId}/pins`)
    .set('Authorization', `Bearer ${as.token}`)
    .send({ productId: shop.productId, ...body })
    .expect(201);
  return res.body;
}

export function order(
  t: TestApp,
  buyer: TestUser,
  body: Record<string, unknown>,
  key: string | null = newKey(),
) {
  const req = t.http.post('/api/orders').set('Authorization', `Bearer ${buyer.token}`);
  if (key !== null) void req.set('Idempotency-Key', key);
  return req.send(body);
}

export async function stockOf(t: TestApp, productId: string): Promise<number> {
  const [row] = await t.sql<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]);
  return row.stock;
}

/** Collects the room events published for a stream. */
export async function listenToRoom(
  t: TestApp,
  streamId: string,
): Promise<{ events: RoomEvent[]; stop: () => Promise<void> }> {
  const events: RoomEvent[] = [];
  const stop = await t.app
    .get<PubSub>(PUBSUB)
    .subscribe(roomChannel(streamId), (m) => events.push(m as RoomEvent));
  return { events, stop };
}

/** Polls `check` until it returns true or the time is up (for asynchronous effects, not speed). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
