import { SfuHost } from '../../src/streams/ingest/sfu.provider';
import { eventually } from '../support/wait';
import { postWhepOffer, useWhipApp } from '../support/ingest';
import { createViewer, type Publisher, type Viewer } from '../support/webrtc';

/**
 * The probe's port exhaustion: each unanswered WHEP offer held a port until
 * its connect timeout, and 1,260 offers from 45 addresses filled the
 * 1,000-port range, after which publishers and viewers got 500. Now every
 * transport of a worker shares its WebRtcServer's one port, unconnected
 * sessions are bounded per address (429) and per stream (503), and they are
 * closed after MEDIA_CONNECT_TIMEOUT: the same flood leaves a new publisher
 * and a real viewer connecting.
 */
describe('a flood of unanswered WHEP offers', () => {
  const w = useWhipApp({ MEDIASOUP_NUM_WORKERS: '1', MEDIA_CONNECT_TIMEOUT: '12' });

  async function live(): Promise<{ id: string; pub: Publisher }> {
    const stream = await w.newStream('Flood');
    const { pub } = await w.publish(stream);
    return { id: stream.id, pub };
  }

  async function watch(streamId: string, from: string): Promise<Viewer> {
    const viewer = createViewer();
    w.peers.push(viewer);
    const res = await postWhepOffer(w.t, streamId, await viewer.offer(), { from }).expect(201);
    await viewer.answer(res.text);
    await eventually(() => viewer.frames() > 0, 15_000, 'a decoded frame');
    return viewer;
  }

  it('does not stop a publisher or a real viewer from connecting', async () => {
    const first = await live();
    const offerer = createViewer();
    w.peers.push(offerer);
    const offer = await offerer.offer(); // one offer, sent 1,260 times and never answered
    const statuses = new Map<number, number>();
    let retryAfter: string | undefined;
    const addresses = Array.from({ length: 45 }, (_, i) => `198.51.100.${i + 1}`);
    const t0 = Date.now();
    for (let round = 0; round < 28; round++) {
      await Promise.all(
        addresses.map(async (address) => {
          const res = await postWhepOffer(w.t, first.id, offer, { from: address });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 429 || res.status === 503) retryAfter ??= res.headers['retry-after'];
        }),
      );
    }
    const floodMs = Date.now() - t0;
    // No 5xx but the documented 503; the unanswered ones are bounded per address.
    expect([...statuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(statuses.get(429)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const sfu = w.t.app.get(SfuHost).sfu!;
    expect(sfu.pendingOf({ client: addresses[0] })).toBeLessThanOrEqual(10);
    // Every transport shares the worker's one port pair.
    expect(sfu.workerPool.rtcPorts()).toHaveLength(1);

    // Meanwhile: a new publisher goes live and a real viewer of the flooded stream plays.
    const second = await live();
    const viewer = await watch(first.id, '203.0.113.50');
    expect(viewer.frames()).toBeGreaterThan(0);
    expect(second.pub.pc.connectionState).toBe('connected');

    // And the unanswered sessions are gone after the connect timeout.
    await eventually(
      () => sfu.pendingOf({ streamId: first.id }) === 0,
      10_000 + floodMs,
      'unanswered sessions closed',
    );
  }, 120_000);
});
