import { publishOverWhip, type Peers } from './ingest';
import { ask, join, type LiveClients } from './live-client';
import { createProduct, linkStreamer, pin, type Shop } from './shop';
import { createStream } from './streams';
import type { TestApp } from './test-app';

/** An app's options for a live page measured in a browser: one small rendition, as the same machine runs Chromium. */
export const LIVE_PAGE_ENV = {
  MEDIASOUP_NUM_WORKERS: '1',
  HLS_LADDER: '240p:240:300',
  HLS_POSTER_SECONDS: '1',
};

/**
 * A shop as a viewer finds it live: a merchant's stream live from a headless WHIP publisher (in
 * `peers`), its product pinned with a flash sale for the next hour, three lines of chat from a
 * viewer (in `sockets`). What the quality-bars test and bench:lighthouse measure pages on.
 */
export async function startLiveShop(t: TestApp, peers: Peers, sockets: LiveClients): Promise<Shop> {
  const merchant = await t.user('merchant', 'Casa Linho');
  const streamer = await t.user('streamer', 'Rita');
  const productId = await createProduct(t, merchant, { title: 'Linen shirt', priceCents: 4000, stock: 50 });
  await linkStreamer(t, merchant, streamer);
  const stream = await createStream(t, streamer, { title: 'Linen week', merchantId: merchant.id });
  await publishOverWhip(t, stream, peers);
  const shop = { merchant, streamer, productId, streamId: stream.id };
  await pin(t, shop, {
    salePriceCents: 3200,
    saleStock: 30,
    perBuyerLimit: 2,
    endsAt: new Date(Date.now() + 60 * 60_000).toISOString(),
  });
  const chatter = await sockets.connect(t.baseUrl, (await t.user('viewer', 'Ada')).token);
  await join(chatter, stream.id);
  for (const text of ['Hi from Lisbon', 'Is it pre-washed?', 'Just bought two!'])
    await ask(chatter, 'chat:send', { text });
  return shop;
}
