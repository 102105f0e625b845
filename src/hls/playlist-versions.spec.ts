import { liveShow, MemoryStorage } from '../../media/hls/fixtures';
import { PlaylistVersions } from './playlist-versions';

const playlist = (parts: number) => Buffer.from(liveShow(parts).render());
const KEY = 's/720p/index.m3u8';

describe('PlaylistVersions', () => {
  it('reads a playlist once per version: the same bytes, read again, are the same version', () => {
    const versions = new PlaylistVersions(new MemoryStorage());
    const v1 = versions.of(KEY, playlist(42));
    expect(versions.of(KEY, Buffer.from(playlist(42)))).toBe(v1);
    expect(v1.summary).toMatchObject({ lastMsn: 10, trailingParts: 2, startable: true });
    // Its delta update is made once, and skips the old segments.
    expect(v1.delta).toBe(v1.delta);
    expect(v1.delta.toString()).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n');

    const v2 = versions.of(KEY, playlist(43));
    expect(v2).not.toBe(v1);
    expect(v2.summary.trailingParts).toBe(3);
    // Another playlist with the same bytes is its own entry.
    expect(versions.of('s/480p/index.m3u8', playlist(43))).not.toBe(v2);
  });

  it('keeps the last version of at most 512 playlists, dropping the one whose version is oldest', () => {
    const versions = new PlaylistVersions(new MemoryStorage());
    const data = playlist(6);
    const first = versions.of('k0', data);
    const kept = versions.of('k1', data);
    for (let k = 2; k <= 512; k++) versions.of(`k${k}`, data);
    expect(versions.of('k1', data)).toBe(kept);
    expect(versions.of('k0', data)).not.toBe(first);
  });

  describe('read', () => {
    afterEach(() => jest.useRealTimers());

    it('answers the requests of the next 50 ms from one read of the store, then reads it again', async () => {
      jest.useFakeTimers();
      const store = new MemoryStorage();
      const versions = new PlaylistVersions(store);
      await store.write(KEY, playlist(42));
      const answers = await Promise.all(Array.from({ length: 100 }, () => versions.read(KEY)));
      expect(store.reads).toBe(1);
      expect(new Set(answers).size).toBe(1);
      expect(answers[0]!.summary.trailingParts).toBe(2);

      // A write nobody announced is seen once the read is older than its trust.
      await store.write(KEY, playlist(43));
      expect((await versions.read(KEY))!.summary.trailingParts).toBe(2);
      jest.advanceTimersByTime(49);
      expect((await versions.read(KEY))!.summary.trailingParts).toBe(2);
      jest.advanceTimersByTime(1);
      expect((await versions.read(KEY))!.summary.trailingParts).toBe(3);
      expect(store.reads).toBe(2);
    });

    it('reads again at once when the write is announced, also while a read that began before it is in flight', async () => {
      const store = new MemoryStorage();
      const versions = new PlaylistVersions(store, 60_000);
      await store.write(KEY, playlist(42));
      expect((await versions.read(KEY))!.summary.trailingParts).toBe(2);
      await store.write(KEY, playlist(43));
      versions.written(KEY);
      expect((await versions.read(KEY))!.summary.trailingParts).toBe(3);

      // A read of the old version is under way (the store is slow) when the next write is announced:
      // the requests after the announcement do not share it.
      let release!: () => void;
      store.hold = new Promise((r) => (release = r));
      await store.write(KEY, playlist(44));
      versions.written(KEY);
      const before = versions.read(KEY);
      await store.write(KEY, playlist(45));
      versions.written(KEY);
      const after = versions.read(KEY);
      release();
      expect((await before)!.data).toEqual(playlist(44));
      expect((await after)!.data).toEqual(playlist(45));
      expect(store.reads).toBe(4);
    });

    it('does not keep a failed read, nor a read of a missing playlist past its trust', async () => {
      const store = new MemoryStorage();
      const versions = new PlaylistVersions(store, 0);
      expect(await versions.read(KEY)).toBeUndefined();
      await store.write(KEY, playlist(6));
      expect(await versions.read(KEY)).toBeDefined();

      const failing = new MemoryStorage();
      failing.read = () => Promise.reject(new Error('EIO'));
      const broken = new PlaylistVersions(failing, 60_000);
      await expect(broken.read(KEY)).rejects.toThrow('EIO');
      failing.read = MemoryStorage.prototype.read;
      await failing.write(KEY, playlist(6));
      expect((await broken.read(KEY))!.summary.trailingParts).toBe(2);
    });
  });
});
