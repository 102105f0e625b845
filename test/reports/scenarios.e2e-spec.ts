import { bearer, type TestUser, useTestApp } from '../support/test-app';
import { createProduct, linkStreamer } from '../support/shop';
import { emptyBucket, pastOrder, pinAt, qs, stream } from './fixtures';

/** Parses the CSV this API writes (no quoted commas in these fixtures). */
function csvRows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\r\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe('sales reports', () => {
  const t = useTestApp();
  let merchant: TestUser;
  let streamer: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let buyers: TestUser[];
  let lamp: string;
  let mug: string;
  let scarf: string;
  let show: string;
  let late: string;

  const H = 3600_000;
  const gmv = (u: TestUser, p: Record<string, string | undefined>) =>
    t.http.get(`/api/reports/gmv?${qs(p)}`).set(bearer(u));

  beforeAll(async () => {
    merchant = await t.user('merchant');
    other = await t.user('merchant');
    admin = await t.user('admin');
    streamer = await t.user('streamer');
    buyers = [await t.user('viewer'), await t.user('viewer'), await t.user('viewer')];
    await linkStreamer(t, merchant, streamer);
    lamp = await createProduct(t, merchant, { title: 'Lamp', priceCents: 2500, currency: 'USD' });
    mug = await createProduct(t, merchant, { title: 'Mug', priceCents: 900, currency: 'USD' });
    scarf = await createProduct(t, merchant, { title: 'Scarf', priceCents: 4200, currency: 'EUR' });

    // "Show": 2026-03-01 17:00–19:00 UTC (22:30–00:30 in Kolkata: across midnight there).
    const start = new Date('2026-03-01T17:00:00Z');
    show = await stream(t, merchant, streamer, {
      title: 'Show',
      startedAt: start,
      endedAt: new Date(start.getTime() + 2 * H),
    });
    const lampPin = await pinAt(t, show, lamp, streamer, start, new Date(start.getTime() + 30 * 60_000));
    const mugPin = await pinAt(
      t,
      show,
      mug,
      streamer,
      new Date(start.getTime() + 30 * 60_000),
      new Date(start.getTime() + 2 * H),
    );
    await t.sql(`INSERT INTO stream_stats (stream_id, peak_viewers, unique_viewers) VALUES ($1, 40, 100)`, [
      show,
    ]);
    const at = (min: number) => new Date(start.getTime() + min * 60_000);
    const [a, b, c] = buyers;
    const base = { merchant, currency: 'USD', streamId: show };
    /** An order line: `quantity` units of `productId` at `unitPriceCents`. */
    const line = (productId: string, quantity: number, unitPriceCents: number) => ({
      productId,
      quantity,
      unitPriceCents,
    });
    for (const o of [
      // Lamp pinned: a buys 2 lamps (paid), b buys a lamp + a mug (refunded).
      { buyer: a, at: at(5), pinId: lampPin, status: 'paid', lines: [line(lamp, 2, 2500)] },
      {
        buyer: b,
        at: at(10),
        pinId: lampPin,
        status: 'refunded',
        lines: [line(lamp, 1, 2500), line(mug, 1, 900)],
      },
      // Mug pinned (after midnight in Kolkata): a buys 3 mugs (pending), c's order expires, c buys a lamp (fulfilled).
      { buyer: a, at: at(95), pinId: mugPin, lines: [line(mug, 3, 900)] },
      { buyer: c, at: at(100), pinId: mugPin, status: 'expired', lines: [line(mug, 5, 900)] },
      { buyer: c, at: at(110), pinId: mugPin, status: 'fulfilled', lines: [line(lamp, 1, 2500)] },
      // The same show sold a scarf in EUR (cancelled still counts in GMV).
      { buyer: b, at: at(20), currency: 'EUR', status: 'cancelled', lines: [line(scarf, 1, 4200)] },
    ] as const)
      await pastOrder(t, { ...base, ...o, lines: [...o.lines] });

    // "Late": 2026-03-02 07:00–09:00 UTC (23:00–01:00 in Los Angeles).
    const s2 = new Date('2026-03-02T07:00:00Z');
    late = await stream(t, merchant, streamer, {
      title: 'Late',
      startedAt: s2,
      endedAt: new Date(s2.getTime() + 2 * H),
    });
    await pastOrder(t, {
      ...base,
      streamId: late,
      buyer: a,
      at: new Date('2026-03-02T07:30:00Z'),
      status: 'paid',
      lines: [line(mug, 1, 900)],
    });
    await pastOrder(t, {
      ...base,
      streamId: late,
      buyer: b,
      at: new Date('2026-03-02T08:30:00Z'),
      status: 'paid',
      lines: [line(mug, 2, 900)],
    });
  });

  const days = () => ({
    granularity: 'day',
    from: '2026-02-28T00:00:00Z',
    to: '2026-03-04T00:00:00Z',
    currency: 'USD',
  });

  it('buckets days in the merchant time zone, across midnight, with zero rows for days without sales', async () => {
    await t.http
      .put('/api/merchant/settings')
      .set(bearer(merchant))
      .send({ timeZone: 'Asia/Kolkata' })
      .expect(200);
    const k = await gmv(merchant, days()).query({}).expect(200);
    expect(k.body.timeZone).toBe('Asia/Kolkata');
    const nonzero = (k.body.buckets as { start: string; gmvCents: number; orders: number }[]).filter(
      (b) => b.orders > 0,
    );
    // Kolkata: 22:35 and 22:40 fall on 1 March; 00:05, 00:20 (and the expired 00:10) on 2 March, as does Late.
    expect(nonzero.map((b) => [b.start, b.gmvCents, b.orders])).toEqual([
      ['2026-02-28T18:30:00.000Z', 5000 + 3400, 2],
      ['2026-03-01T18:30:00.000Z', 2700 + 2500 + 900 + 1800, 4],
    ]);
    expect(k.body.buckets).toHaveLength(5);
    expect(k.body.buckets[0]).toEqual(emptyBucket('2026-02-27T18:30:00.000Z'));

    await t.http
      .put('/api/merchant/settings')
      .set(bearer(merchant))
      .send({ timeZone: 'America/Los_Angeles' })
      .expect(200);
    const la = await gmv(merchant, days()).expect(200);
    const laDays = (
      la.body.buckets as {
        start: string;
        orders: number;
        gmvCents: number;
        paidCents: number;
        netCents: number;
        buyers: number;
      }[]
    ).filter((b) => b.orders > 0);
    // Los Angeles: the whole Show and Late's 23:30 order are on 1 March; Late's 00:30 order on 2 March.
    expect(laDays.map((b) => [b.start, b.orders, b.gmvCents, b.paidCents, b.netCents, b.buyers])).toEqual([
      ['2026-03-01T08:00:00.000Z', 5, 13600 + 900, 10900 + 900, 7500 + 900, 3],
      ['2026-03-02T08:00:00.000Z', 1, 1800, 1800, 1800, 1],
    ]);
    await t.http.put('/api/merchant/settings').set(bearer(merchant)).send({ timeZone: 'UTC' }).expect(200);
  });

  it('refuses a time zone that is not IANA, naming the field', async () => {
    const r = await t.http
      .put('/api/merchant/settings')
      .set(bearer(merchant))
      .send({ timeZone: 'Mars/Base' })
      .expect(400);
    expect(r.body.error.message).toMatch(/timeZone/);
    expect((await t.http.get('/api/merchant/settings').set(bearer(merchant)).expect(200)).body).toEqual({
      timeZone: 'UTC',
    });
  });

  it('counts units, orders and buyers per minute of one stream and per product', async () => {
    const r = await gmv(merchant, {
      granularity: 'minute',
      streamId: show,
      from: '2026-03-01T17:00:00Z',
      to: '2026-03-01T19:00:00Z',
      currency: 'USD',
    }).expect(200);
    expect(r.body.buckets).toHaveLength(120);
    const m = Object.fromEntries((r.body.buckets as { start: string }[]).map((b) => [b.start, b]));
    expect(m['2026-03-01T17:10:00.000Z']).toEqual({
      start: '2026-03-01T17:10:00.000Z',
      gmvCents: 3400,
      paidCents: 3400,
      netCents: 0,
      orders: 1,
      units: 2,
      buyers: 1,
    });
    expect(m['2026-03-01T18:10:00.000Z']).toMatchObject({ gmvCents: 0, orders: 0 });
    const mugOnly = await gmv(merchant, {
      granularity: 'hour',
      streamId: show,
      productId: mug,
      from: '2026-03-01T17:00:00Z',
      to: '2026-03-01T19:00:00Z',
      currency: 'USD',
    }).expect(200);
    expect((mugOnly.body.buckets as object[]).map((b) => b)).toEqual([
      {
        start: '2026-03-01T17:00:00.000Z',
        gmvCents: 900,
        paidCents: 900,
        netCents: 0,
        orders: 1,
        units: 1,
        buyers: 1,
      },
      {
        start: '2026-03-01T18:00:00.000Z',
        gmvCents: 2700,
        paidCents: 0,
        netCents: 0,
        orders: 1,
        units: 3,
        buyers: 1,
      },
    ]);
  });

  it('asks for a currency when the range sold in two, and keeps them apart', async () => {
    const r = await gmv(merchant, {
      granularity: 'day',
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-02T00:00:00Z',
    }).expect(400);
    expect(r.body.error.message).toMatch(/^currency is required.*EUR, USD/);
    const eur = await gmv(merchant, {
      granularity: 'day',
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-02T00:00:00Z',
      currency: 'EUR',
    }).expect(200);
    expect(eur.body.buckets).toEqual([
      {
        start: '2026-03-01T00:00:00.000Z',
        gmvCents: 4200,
        paidCents: 0,
        netCents: 0,
        orders: 1,
        units: 1,
        buyers: 1,
      },
    ]);
  });

  it('summarises a stream: AOV, viewers, conversion, top products and pinned time against pinned GMV', async () => {
    const r = await t.http.get(`/api/reports/streams/${show}?currency=USD`).set(bearer(merchant)).expect(200);
    expect(r.body).toMatchObject({
      streamId: show,
      currency: 'USD',
      currencies: ['EUR', 'USD'],
      gmvCents: 13600,
      paidCents: 10900,
      netCents: 7500,
      orders: 4,
      units: 8,
      buyers: 3,
      aovCents: 3400,
      peakViewers: 40,
      uniqueViewers: 100,
      conversion: 0.03,
    });
    const byTitle = Object.fromEntries((r.body.topProducts as { title: string }[]).map((p) => [p.title, p]));
    expect(r.body.topProducts.map((p: { title: string }) => p.title)).toEqual(['Lamp', 'Mug']);
    expect(byTitle.Lamp).toMatchObject({
      gmvCents: 10000,
      orders: 3,
      units: 4,
      buyers: 3,
      pinnedSeconds: 1800,
      pins: 1,
      pinnedGmvCents: 7500,
      pinnedOrders: 2,
      pinnedUnits: 3,
    });
    expect(byTitle.Mug).toMatchObject({
      gmvCents: 3600,
      orders: 2,
      units: 4,
      buyers: 2,
      pinnedSeconds: 5400,
      pins: 1,
      pinnedGmvCents: 2700,
      pinnedOrders: 1,
      pinnedUnits: 3,
    });
    await t.http.get(`/api/reports/streams/${show}`).set(bearer(merchant)).expect(400);
  });

  it('gives the same numbers as CSV when asked with Accept: text/csv', async () => {
    const p = {
      granularity: 'hour',
      streamId: show,
      from: '2026-03-01T16:00:00Z',
      to: '2026-03-01T20:00:00Z',
      currency: 'USD',
    };
    const json = await gmv(merchant, p).expect(200);
    const csv = await gmv(merchant, p)
      .set('Accept', 'text/csv')
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    expect(csvRows(csv.text)).toEqual(
      (json.body.buckets as Record<string, number | string>[]).map((b) => ({
        start: b.start,
        currency: 'USD',
        gmv_cents: String(b.gmvCents),
        paid_cents: String(b.paidCents),
        net_cents: String(b.netCents),
        orders: String(b.orders),
        units: String(b.units),
        buyers: String(b.buyers),
      })),
    );
    const sj = await t.http
      .get(`/api/reports/streams/${show}?currency=USD`)
      .set(bearer(merchant))
      .expect(200);
    const sc = csvRows(
      (
        await t.http
          .get(`/api/reports/streams/${show}?currency=USD`)
          .set(bearer(merchant))
          .set('Accept', 'text/csv')
          .expect(200)
      ).text,
    );
    expect(sc[0]).toMatchObject({
      kind: 'stream',
      gmv_cents: String(sj.body.gmvCents),
      buyers: String(sj.body.buyers),
      conversion: String(sj.body.conversion),
      aov_cents: String(sj.body.aovCents),
    });
    expect(sc.slice(1).map((r) => [r.product_id, r.gmv_cents, r.pinned_seconds, r.pinned_gmv_cents])).toEqual(
      (sj.body.topProducts as Record<string, number | string>[]).map((x) => [
        x.productId,
        String(x.gmvCents),
        String(x.pinnedSeconds),
        String(x.pinnedGmvCents),
      ]),
    );
    const list = await t.http.get('/api/reports/streams?currency=USD').set(bearer(merchant)).expect(200);
    const lc = csvRows(
      (
        await t.http
          .get('/api/reports/streams?currency=USD')
          .set(bearer(merchant))
          .set('Accept', 'text/csv')
          .expect(200)
      ).text,
    );
    expect(lc.map((r) => [r.stream_id, r.gmv_cents, r.orders, r.buyers])).toEqual(
      (list.body.items as Record<string, number | string>[]).map((s) => [
        s.streamId,
        String(s.gmvCents),
        String(s.orders),
        String(s.buyers),
      ]),
    );
  });

  it('keeps each merchant to its own numbers; admins see all; others get 401 or 403', async () => {
    await t.http.get(`/api/reports/streams/${show}`).set(bearer(other)).expect(403);
    await gmv(other, { streamId: show }).expect(403);
    await gmv(other, { merchantId: merchant.id }).expect(403);
    await t.http.get('/api/reports/gmv').expect(401);
    await gmv(buyers[0], {}).expect(403);
    await t.http.get(`/api/reports/streams/${show}`).set(bearer(streamer)).expect(403);
    const mine = await gmv(other, {
      granularity: 'day',
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-03T00:00:00Z',
    }).expect(200);
    expect(mine.body.buckets.every((b: { orders: number }) => b.orders === 0)).toBe(true);
    const a = await t.http.get(`/api/reports/streams/${show}?currency=USD`).set(bearer(admin)).expect(200);
    expect(a.body.gmvCents).toBe(13600);
    const ad = await gmv(admin, {
      merchantId: merchant.id,
      granularity: 'day',
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-03T00:00:00Z',
      currency: 'USD',
    }).expect(200);
    expect(ad.body.buckets.map((b: { gmvCents: number }) => b.gmvCents)).toEqual([13600, 2700]);
    expect((await gmv(admin, {}).expect(400)).body.error.message).toMatch(/merchantId/);
    await t.http
      .get(`/api/reports/streams/00000000-0000-4000-8000-000000000000`)
      .set(bearer(merchant))
      .expect(404);
  });

  it('refuses bad parameters with 400 naming the field, and ranges too long for the granularity', async () => {
    for (const [p, field] of [
      [{ granularity: 'week' }, 'granularity'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-02-30T25:00:00Z' }, 'to'],
      [{ streamId: 'abc' }, 'streamId'],
      [{ productId: '1' }, 'productId'],
      [{ currency: 'usd' }, 'currency'],
      [{ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'from'],
      [{ granularity: 'minute', from: '2026-03-01T00:00:00Z', to: '2026-03-09T00:00:00Z' }, 'to'],
      [{ granularity: 'hour', from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'to'],
      [{ sort: 'x' }, 'sort'],
    ] as [Record<string, string>, string][]) {
      const r = await gmv(merchant, p).expect(400);
      // The message is a sentence; the field is named in it or in details.
      expect(JSON.stringify(r.body.error)).toContain(field);
    }
    await t.http.get('/api/reports/streams/not-a-uuid').set(bearer(merchant)).expect(400);
  });
});
