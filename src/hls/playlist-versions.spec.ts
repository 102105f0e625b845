import { liveShow } from '../../media/hls/fixtures';
import { PlaylistVersions } from './playlist-versions';

const playlist = (parts: number) => Buffer.from(liveShow(parts).render());

describe('PlaylistVersions', () => {
  it('reads a playlist once per version: the same bytes, read again, are the same version', () => {
    const versions = new PlaylistVersions();
    const v1 = versions.of('s/720p/index.m3u8', playlist(42));
    expect(versions.of('s/720p/index.m3u8', Buffer.from(playlist(42)))).toBe(v1);
    expect(v1.summary).toMatchObject({ lastMsn: 10, trailingParts: 2, startable: true });
    // Its delta update is made once, and skips the old segments.
    expect(v1.delta).toBe(v1.delta);
    expect(v1.delta.toString()).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n');

    const v2 = versions.of('s/720p/index.m3u8', playlist(43));
    expect(v2).not.toBe(v1);
    expect(v2.summary.trailingParts).toBe(3);
    // Another playlist with the same bytes is its own entry.
    expect(versions.of('s/480p/index.m3u8', playlist(43))).not.toBe(v2);
  });

  it('keeps the last version of at most 512 playlists, dropping the one whose version is oldest', () => {
    const versions = new PlaylistVersions();
    const data = playlist(6);
    const first = versions.of('k0', data);
    const kept = versions.of('k1', data);
    for (let k = 2; k <= 512; k++) versions.of(`k${k}`, data);
    expect(versions.of('k1', data)).toBe(kept);
    expect(versions.of('k0', data)).not.toBe(first);
  });
});
