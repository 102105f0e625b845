import { studioWithNewStream, useChromium } from '../support/browser';
import { TestUser, useTestApp } from '../support/test-app';
import { eventually } from '../support/wait';

/** The streamer's path in real Chromium: studio → Go live (WHIP, fake camera) → End (confirmed). */
describe('studio in Chromium', () => {
  const browser = useChromium();
  const t = useTestApp({ env: { MEDIASOUP_NUM_WORKERS: '1', STREAM_RECONNECT_GRACE_SECONDS: '30' } });
  let streamer: TestUser;

  beforeAll(async () => {
    streamer = await t.user('streamer');
  });

  it('creates a stream, goes live from the camera, shows it live, and ends it', async () => {
    const page = await studioWithNewStream(browser, t, streamer, 'Browser drop');
    await page.waitForSelector('#go-live');
    // The preview shows the (fake) camera.
    await page.waitForFunction(
      () => (document.getElementById('preview') as HTMLVideoElement).videoWidth > 0,
      undefined,
      { timeout: 15_000 },
    );

    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.click('#go-live');
    try {
      await page.waitForFunction(
        () => document.getElementById('broadcast-state')?.textContent === 'live',
        undefined,
        {
          timeout: 20_000,
        },
      );
    } catch (e) {
      throw new Error(
        `not live: panel says "${await page.textContent('#broadcast')}"; console: ${logs.join(' | ')}; ${String(e)}`,
      );
    }
    const mine = await t.http
      .get('/api/streams?mine=1')
      .set('Authorization', `Bearer ${streamer.token}`)
      .expect(200);
    const stream = mine.body.items[0];
    expect(stream).toMatchObject({ title: 'Browser drop', status: 'live' });
    // The clock starts once the page has re-read the stream (its start time), which can
    // land just after the connection turns live.
    await page.waitForFunction(
      () => /^\d\d:\d\d:\d\d$/.test(document.getElementById('elapsed')?.textContent ?? ''),
      undefined,
      {
        timeout: 5_000,
      },
    );

    // The SFU receives real media from Chromium.
    const { SfuHost } = await import('../../src/streams/ingest/sfu.provider');
    const room = t.app.get(SfuHost).sfu!.room(stream.id)!;
    const video = room.producers.find((p) => p.kind === 'video')!;
    let packets = 0;
    for (let i = 0; i < 50 && packets < 20; i++) {
      const stats = await video.getStats();
      packets = stats.reduce((n, s) => n + ((s as { packetCount?: number }).packetCount ?? 0), 0);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(packets).toBeGreaterThanOrEqual(20);

    // End asks first: "Keep streaming" leaves the show live.
    await page.click('#end');
    await page.click('#end-dialog button:text("Keep streaming")');
    await page.locator('#end-dialog').waitFor({ state: 'hidden' });
    expect((await t.http.get(`/api/streams/${stream.id}`).expect(200)).body.status).toBe('live');
    await page.click('#end');
    await page.click('#end-confirm');
    await page.waitForFunction(
      () => document.getElementById('broadcast-state')?.textContent === 'ended',
      undefined,
      { timeout: 10_000 },
    );
    const after = await t.http.get(`/api/streams/${stream.id}`).expect(200);
    expect(after.body.status).toBe('ended');
  });

  it('resumes the same live stream when the studio is closed and opened again within the grace', async () => {
    const first = await studioWithNewStream(browser, t, streamer, 'Come back');
    await first.click('#go-live:not([disabled])');
    const isLive = () => document.getElementById('broadcast-state')?.textContent === 'live';
    await first.waitForFunction(isLive, undefined, { timeout: 20_000 });
    const mine = await t.http.get('/api/streams?mine=1').set('Authorization', `Bearer ${streamer.token}`);
    const stream = (mine.body.items as { id: string; status: string; startedAt: string }[]).find(
      (s) => s.status === 'live',
    )!;

    // The tab closes: the show waits for its streamer.
    const context = first.context();
    await first.close();
    let waiting = await t.http.get(`/api/streams/${stream.id}`);
    await eventually(
      async () => {
        waiting = await t.http.get(`/api/streams/${stream.id}`);
        return waiting.body.status === 'reconnecting';
      },
      5_000,
      'the stream waiting for its streamer',
    );
    expect(Date.parse(waiting.body.reconnectUntil)).toBeGreaterThan(Date.now());

    // A new tab of the same browser: the studio publishes to the waiting show by itself.
    const again = await context.newPage();
    await again.goto('/studio');
    await again.waitForFunction(isLive, undefined, { timeout: 20_000 });
    const back = await t.http.get(`/api/streams/${stream.id}`).expect(200);
    expect(back.body).toMatchObject({ status: 'live', startedAt: stream.startedAt, reconnectUntil: null });
    await again.click('#end');
    await again.click('#end-confirm');
    await again.waitForFunction(() => document.getElementById('broadcast-state')?.textContent === 'ended');
    await context.close();
  });
});
