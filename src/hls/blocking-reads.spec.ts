import { MemoryStorage } from '../../media/hls/fixtures';
import { LocalPubSub } from '../infra/pubsub';
import { AnnouncedHlsStorage } from './announced-storage';
import { BlockingReads } from './blocking-reads';
import { HLS_WRITES_CHANNEL, type HlsWrite } from './hls.constants';

describe('BlockingReads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers a held request as soon as its write is announced, not at the next poll', async () => {
    const store = new MemoryStorage();
    const pubsub = new LocalPubSub();
    const storage = new AnnouncedHlsStorage(store, pubsub);
    const reads = new BlockingReads(storage, 0);
    await reads.listen(pubsub);
    let answer: Buffer | undefined;
    void reads.wait('c', 's/720p/index.m3u8', 10_000).then((d) => (answer = d));
    await storage.write('s/720p/index.m3u8', 'v1');
    // The announcement comes on the next turn of the event loop; no poll is due for 50 ms.
    await jest.advanceTimersByTimeAsync(1);
    expect(answer?.toString()).toBe('v1');
    await reads.onApplicationShutdown();
  });

  it('announces playlists and parts, not segments, init segments, posters or the transcode state', async () => {
    const pubsub = new LocalPubSub();
    const announced: string[] = [];
    await pubsub.subscribe(HLS_WRITES_CHANNEL, (m) => announced.push((m as HlsWrite).key));
    const storage = new AnnouncedHlsStorage(new MemoryStorage(), pubsub);
    for (const key of [
      's/master.m3u8',
      's/720p/index.m3u8',
      's/720p/r1/p12.m4s',
      's/720p/s3.m4s',
      's/720p/r1/init.mp4',
      's/poster.jpg',
      's/state.json',
      's/state/720p.0.json',
    ])
      await storage.write(key, 'x');
    await jest.advanceTimersByTimeAsync(1);
    expect(announced).toEqual(['s/master.m3u8', 's/720p/index.m3u8', 's/720p/r1/p12.m4s']);
  });

  it('reads once more right after a read in flight when a write is announced meanwhile, and keeps one poll', async () => {
    const store = new MemoryStorage();
    const reads = new BlockingReads(store, 0);
    let answer: Buffer | undefined;
    void reads.wait('c', 'k', 10_000, (d) => d.toString() === 'v2').then((d) => (answer = d));
    store.files.set('k', Buffer.from('v1'));
    let release!: () => void;
    store.hold = new Promise((r) => (release = r));
    reads.wake('k'); // a read starts, and is held
    reads.wake('k'); // announced during it: no second read in flight
    reads.wake('k');
    expect(store.reads).toBe(1);
    store.files.set('k', Buffer.from('v2'));
    store.hold = undefined;
    release();
    await jest.advanceTimersByTimeAsync(0);
    // The held read saw v1; the one right after it v2.
    expect(store.reads).toBe(2);
    expect(answer?.toString()).toBe('v2');
    // Nothing is left polling.
    await jest.advanceTimersByTimeAsync(500);
    expect(store.reads).toBe(2);
  });

  it('still polls every 50 ms when no announcement comes', async () => {
    const store = new MemoryStorage();
    const reads = new BlockingReads(store, 0);
    let answer: Buffer | undefined;
    void reads.wait('c', 'k', 10_000).then((d) => (answer = d));
    await jest.advanceTimersByTimeAsync(120);
    expect(store.reads).toBe(2);
    store.files.set('k', Buffer.from('v1'));
    await jest.advanceTimersByTimeAsync(50);
    expect(answer?.toString()).toBe('v1');
  });
});
