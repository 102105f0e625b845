import { MemoryStorage } from '../../media/hls/fixtures';
import { BlockingReads } from './blocking-reads';

const KEY = 's/720p/index.m3u8';

describe('BlockingReads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers a held request as soon as its write is announced, not at the next poll', async () => {
    const store = new MemoryStorage();
    const reads = new BlockingReads(store, 0);
    let answer: Buffer | undefined;
    void reads.wait('c', KEY, 10_000).then((d) => (answer = d));
    await store.write(KEY, 'v1');
    reads.written(KEY);
    // No poll is due for 50 ms.
    await jest.advanceTimersByTimeAsync(1);
    expect(answer?.toString()).toBe('v1');
    reads.close();
  });

  it('reads once more right after a read in flight when a write is announced meanwhile, and keeps one poll', async () => {
    const store = new MemoryStorage();
    const reads = new BlockingReads(store, 0);
    let answer: Buffer | undefined;
    void reads.wait('c', KEY, 10_000, (d) => d.toString() === 'v2').then((d) => (answer = d));
    store.files.set(KEY, Buffer.from('v1'));
    let release!: () => void;
    store.hold = new Promise((r) => (release = r));
    reads.written(KEY); // a read starts, and is held
    reads.written(KEY); // announced during it: no second read in flight
    reads.written(KEY);
    expect(store.reads).toBe(1);
    store.files.set(KEY, Buffer.from('v2'));
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
    void reads.wait('c', KEY, 10_000).then((d) => (answer = d));
    await jest.advanceTimersByTimeAsync(120);
    expect(store.reads).toBe(2);
    store.files.set(KEY, Buffer.from('v1'));
    await jest.advanceTimersByTimeAsync(50);
    expect(answer?.toString()).toBe('v1');
  });

  it('holds requests only for the files whose writes the store announces', async () => {
    const reads = new BlockingReads(new MemoryStorage(), 0);
    for (const key of ['s/720p/s3.m4s', 's/720p/r1/init.mp4', 's/poster.jpg'])
      await expect(reads.wait('c', key, 1000)).rejects.toThrow(`requests are not held for ${key}`);
    expect(reads.heldBy('c')).toBe(0);
  });
});
