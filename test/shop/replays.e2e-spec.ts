import { StreamsService } from '../../src/streams/streams.service';
import { createShop, paidOrderFromStream, placeOrder } from '../support/shop';
import { eventually } from '../support/wait';
import { connect, join } from '../support/live-client';
import { bearer, useTestApp } from '../support/test-app';

/** Replays to list, and an ended stream's final figures instead of "2 watching". */
describe('replays and the figures of an ended stream', () => {
  const t = useTestApp({ redis: false, env: { MEDIA_ENABLED: 'false', LIVE_STATS_FLUSH_MS: '200' } });
  let streams: StreamsService;

  beforeAll(async () => {
    streams = t.app.get(StreamsService);
  });

  it('lists the replays, the most recently ended first, with the URL that plays them and a poster', async () => {
    const streamer = await t.user('streamer');
    const make = async (title: string) =>
      (await t.http.post('/api/streams').set(bearer(streamer)).send({ title }).expect(201)).body.id as string;
    const [older, newer, none] = [await make('Older'), await make('Newer'), await make('No recording')];
    for (const [id, ago] of [
      [older, '2 hours'],
      [newer, '1 hour'],
      [none, '30 minutes'],
    ] as const) {
      await t.sql(
        `UPDATE streams SET status = 'ended', started_at = now() - interval '3 hours', ended_at = now() - $2::interval
         WHERE id = $1`,
        [id, ago],
      );
    }
    await streams.setReplayReady(older, true);
    await streams.setReplayReady(newer, true);
    const list = await t.http.get('/api/streams?status=ended&replay=1').expect(200);
    const ids = list.body.items.map((s: { id: string }) => s.id);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    expect(ids).not.toContain(none);
    const one = list.body.items.find((s: { id: string }) => s.id === newer);
    expect(one).toMatchObject({
      status: 'ended',
      replayAvailable: true,
      hlsUrl: `${t.config.http.publicUrl}/hls/${newer}/master.m3u8`,
      posterUrl: `${t.config.http.publicUrl}/hls/${newer}/poster.jpg`,
    });
    expect((await t.http.get(`/api/streams/${none}`).expect(200)).body).toMatchObject({
      replayAvailable: false,
      posterUrl: null,
    });
    await t.http.get('/api/streams?replay=yes').expect(400);
  });

  it('shows an ended stream’s audience to everyone and its sales to its streamer and shop', async () => {
    const shop = await createShop(t, { stock: 10, priceCents: 1500, digital: true });
    const buyer = await t.user('viewer');
    await paidOrderFromStream(t, buyer, shop, 2);
    await placeOrder(t, buyer, shop.productId); // not from the stream
    await t.sql(
      `INSERT INTO stream_stats (stream_id, peak_viewers, unique_viewers, likes) VALUES ($1, 42, 97, 1234)`,
      [shop.streamId],
    );
    await t.http.post(`/api/streams/${shop.streamId}/end`).set(bearer(shop.streamer)).expect(200);

    const anon = await t.http.get(`/api/streams/${shop.streamId}/summary`).expect(200);
    expect(anon.body).toMatchObject({
      streamId: shop.streamId,
      status: 'ended',
      peakViewers: 42,
      uniqueViewers: 97,
      likes: 1234,
      replay: { available: false },
      sales: null,
    });
    expect(anon.body.durationSeconds).toBeGreaterThanOrEqual(90);
    for (const who of [shop.streamer, shop.merchant]) {
      const mine = await t.http.get(`/api/streams/${shop.streamId}/summary`).set(bearer(who)).expect(200);
      expect(mine.body.sales).toEqual([
        { currency: 'USD', gmvCents: 3000, paidCents: 3000, netCents: 3000, orders: 1, units: 2, buyers: 1 },
      ]);
    }
    const stranger = await t.user('merchant');
    expect(
      (await t.http.get(`/api/streams/${shop.streamId}/summary`).set(bearer(stranger))).body.sales,
    ).toBeNull();
    await t.http.get('/api/streams/00000000-0000-4000-8000-000000000000/summary').expect(404);
  });

  it('counts nobody on an ended stream’s page and gives its final figures instead', async () => {
    const streamer = await t.user('streamer');
    const s = await t.http.post('/api/streams').set(bearer(streamer)).send({ title: 'Show' }).expect(201);
    const id = s.body.id as string;
    await streams.publisherConnected(id);
    const a = await connect(t.baseUrl);
    const b = await connect(t.baseUrl);
    await join(a, id, { deviceId: 'device-one-1' });
    expect((await join(b, id, { deviceId: 'device-two-2' })).viewers).toBe(2);
    await t.http.post(`/api/streams/${id}/end`).set(bearer(streamer)).expect(200);
    await eventually(async () => {
      const [row] = await t.sql<{ unique_viewers: number }>(
        'SELECT unique_viewers FROM stream_stats WHERE stream_id = $1',
        [id],
      );
      return row?.unique_viewers === 2;
    });
    // Someone still on the page, or arriving later, is not watching a live show.
    const late = await connect(t.baseUrl);
    const state = await join(late, id, { deviceId: 'device-three-3' });
    expect(state).toMatchObject({ status: 'ended', viewers: 0, reconnectUntil: null });
    expect(state.final).toEqual({ peakViewers: 2, uniqueViewers: 2, likes: 0 });
    for (const c of [a, b, late]) c.disconnect();
    await new Promise((r) => setTimeout(r, 500));
    const [row] = await t.sql<{ unique_viewers: number }>(
      'SELECT unique_viewers FROM stream_stats WHERE stream_id = $1',
      [id],
    );
    expect(row.unique_viewers).toBe(2);
  });
});
