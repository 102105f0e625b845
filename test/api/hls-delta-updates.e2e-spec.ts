import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPlaylist, type HlsStorage } from '../../media';
import { liveShow } from '../../media/hls/fixtures';
import { checkMediaPlaylist } from '../../media/hls/playlist-check';
import { HLS_STORAGE } from '../../src/hls/hls.constants';
import { useTestApp } from '../support/test-app';

/**
 * Playlist Delta Updates over HTTP (RFC 8216bis 6.2.5.1): an LL-HLS player
 * reloads a live playlist several times a second, and the playlist keeps the
 * whole show. With `_HLS_skip=YES` the server sends only its last twelve
 * seconds after an `EXT-X-SKIP`.
 */
describe('LL-HLS playlist delta updates (_HLS_skip)', () => {
  const t = useTestApp({ redis: false });
  const streamId = '33333333-3333-4333-8333-333333333333';
  const url = `/hls/${streamId}/720p/index.m3u8`;
  let full: string;
  /** A live show of `parts` parts at the default settings, ending now. */
  const show = (parts: number) =>
    liveShow(parts, {
      partSeconds: 0.2,
      partsPerSegment: 10,
      keyframeParts: 2,
      start: Date.now() - parts * 200,
    });

  beforeAll(() => {
    // Two minutes of 0.2 s parts, ten to a 2 s segment, and three open parts.
    full = show(603).render();
    const dir = path.join(t.config.hls.dir, streamId, '720p');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.m3u8'), full);
  });

  it('offers delta updates, and sends the whole playlist to a player that does not ask for one', async () => {
    const res = await t.http.get(url).expect(200);
    expect(res.text).toBe(full);
    expect(res.text).toContain('CAN-SKIP-UNTIL=12.0');
  });

  it('answers _HLS_skip=YES (with or without a blocking reload) with the last 12 s after an EXT-X-SKIP', async () => {
    const last = readPlaylist(full).lastMsn;
    for (const query of ['_HLS_skip=YES', `_HLS_msn=${last}&_HLS_part=0&_HLS_skip=YES`, '_HLS_skip=v2']) {
      const res = await t.http.get(`${url}?${query}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/vnd\.apple\.mpegurl/);
      // 60 segments (120 s) and 0.6 s open: the first 54 end 12.6 s or more before the end.
      expect(res.text).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=54\n#EXT-X-MAP:URI="r1/init.mp4"\n');
      expect(res.text).not.toContain('\ns54.m4s\n');
      expect(res.text).toContain('\ns55.m4s\n');
      expect(readPlaylist(res.text)).toEqual(readPlaylist(full));
      expect(checkMediaPlaylist(res.text, { keyframeParts: 2 })).toEqual([]);
      expect(res.text.length).toBeLessThan(full.length / 3);
    }
  });

  it('follows the playlist as it grows: each delta update is of the playlist as it is now', async () => {
    // Written as the transcoder writes it: through the app's HLS store, which announces it.
    const storage = t.app.get<HlsStorage>(HLS_STORAGE);
    const key = `${streamId}/720p/index.m3u8`;
    const before = (await t.http.get(`${url}?_HLS_skip=YES`).expect(200)).text;
    // Ten more segments: the next update skips ten more.
    const pl = show(703);
    await storage.write(key, pl.render());
    try {
      const after = (await t.http.get(`${url}?_HLS_skip=YES`).expect(200)).text;
      expect(before).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=54\n');
      expect(after).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=64\n');
      expect(readPlaylist(after)).toEqual(readPlaylist(pl.render()));
    } finally {
      await storage.write(key, full);
    }
  });

  it('answers a _HLS_skip that is neither YES nor v2 with a 400 that says so', async () => {
    for (const value of ['NO', 'yes', '1', '']) {
      const res = await t.http.get(`${url}?_HLS_skip=${value}`).expect(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_query', message: '_HLS_skip must be YES or v2' });
    }
  });
});
