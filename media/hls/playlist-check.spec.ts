import { LlHlsPlaylist, renderMaster } from './playlist';
import { checkMasterPlaylist, checkMediaPlaylist, checkPlaylistUpdate } from './playlist-check';
import { variant } from './fixtures';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const PART = 1 / 3;

/** A live playlist as the transcoder writes it: 1/3 s parts, 6 a segment, a short first segment. */
function writer(): { pl: LlHlsPlaylist; add(run: number, n: number, t: number): void } {
  const pl = LlHlsPlaylist.create({ partTarget: PART, partsPerSegment: 6, firstSegmentParts: 3 });
  return {
    pl,
    add: (run, n, t) =>
      pl.addPart(
        { uri: `r${run}/p${n}.m4s`, duration: PART, pdt: t, independent: true },
        `r${run}/p${n + 1}.m4s`,
      ),
  };
}

/** Replaces one line of a rendered playlist. */
const edit = (text: string, from: string | RegExp, to: string) => {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`nothing to edit: ${String(from)}`);
  return out;
};

describe('LL-HLS playlist checker', () => {
  it("passes every version of the writer's playlist across a restart, and its end", () => {
    const { pl, add } = writer();
    const versions: string[] = [];
    pl.startRun('r1/init.mp4');
    for (let n = 0; n < 14; n++) {
      add(1, n, T0 + n * 1000 * PART);
      versions.push(pl.render());
    }
    // ffmpeg died: the next run continues the playlist after a discontinuity, later in time.
    pl.startRun('r2/init.mp4');
    for (let n = 0; n < 10; n++) {
      add(2, n, T0 + 10_000 + n * 1000 * PART);
      versions.push(pl.render());
    }
    pl.end();
    versions.push(pl.render());
    expect(versions.at(-2)).toContain('#EXT-X-DISCONTINUITY');
    for (const v of versions) expect(checkMediaPlaylist(v, { keyframeParts: 1 })).toEqual([]);
    for (let i = 1; i < versions.length; i++)
      expect(checkPlaylistUpdate(versions[i - 1], versions[i])).toEqual([]);
  });

  const live = () => {
    const { pl, add } = writer();
    pl.startRun('r1/init.mp4');
    // Segments s0 (p0-p2, the short first one), s1 (p3-p8), s2 (p9-p14); p15, p16 open.
    for (let n = 0; n < 17; n++) add(1, n, T0 + n * 1000 * PART);
    return pl.render();
  };

  it('finds parts longer than PART-TARGET and short parts mid-segment', () => {
    expect(
      checkMediaPlaylist(edit(live(), 'DURATION=0.333333,URI="r1/p10.m4s"', 'DURATION=0.4,URI="r1/p10.m4s"')),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/part r1\/p10\.m4s lasts 0\.4 s, over PART-TARGET/)]),
    );
    const short = edit(
      live(),
      'DURATION=0.333333,URI="r1/p10.m4s",INDEPENDENT=YES',
      'DURATION=0.2,URI="r1/p10.m4s"',
    );
    expect(checkMediaPlaylist(short).join('\n')).toMatch(/r1\/p10\.m4s lasts 0\.2 s, under 85 %/);
  });

  it('finds a PART-HOLD-BACK under three part targets, and a HOLD-BACK under three target durations', () => {
    expect(
      checkMediaPlaylist(edit(live(), 'PART-HOLD-BACK=1.0', 'PART-HOLD-BACK=0.66667')).join('\n'),
    ).toMatch(/PART-HOLD-BACK 0\.66667 is under three part targets/);
    expect(checkMediaPlaylist(edit(live(), 'HOLD-BACK=6.0', 'HOLD-BACK=4.0')).join('\n')).toMatch(
      /HOLD-BACK 4 is under three target durations/,
    );
  });

  it('finds a segment longer than EXT-X-TARGETDURATION once rounded', () => {
    expect(checkMediaPlaylist(edit(live(), '#EXTINF:2.0,', '#EXTINF:2.6,')).join('\n')).toMatch(
      /segment 2 lasts 2\.6 s, over EXT-X-TARGETDURATION 2/,
    );
    // 2.4 rounds to 2: allowed (its parts then disagree with it, which is found apart).
    expect(checkMediaPlaylist(edit(live(), '#EXTINF:2.0,', '#EXTINF:2.4,')).join('\n')).not.toMatch(
      /TARGETDURATION/,
    );
  });

  it('finds parts not marked independent where they must be', () => {
    const text = edit(live(), 'URI="r1/p9.m4s",INDEPENDENT=YES', 'URI="r1/p9.m4s"');
    expect(checkMediaPlaylist(text).join('\n')).toMatch(
      /segment 3 starts with part r1\/p9\.m4s, not INDEPENDENT=YES/,
    );
    const mid = edit(live(), 'URI="r1/p10.m4s",INDEPENDENT=YES', 'URI="r1/p10.m4s"');
    expect(checkMediaPlaylist(mid)).toEqual([]);
    expect(checkMediaPlaylist(mid, { keyframeParts: 1 })).toEqual(['part r1/p10.m4s is not INDEPENDENT=YES']);
    // A keyframe every other part: p10 must start with one, p11 need not.
    expect(checkMediaPlaylist(mid, { keyframeParts: 2 })).toEqual(['part r1/p10.m4s is not INDEPENDENT=YES']);
    const odd = edit(live(), 'URI="r1/p11.m4s",INDEPENDENT=YES', 'URI="r1/p11.m4s"');
    expect(checkMediaPlaylist(odd, { keyframeParts: 2 })).toEqual([]);
    expect(checkMediaPlaylist(odd, { keyframeParts: 1 })).toEqual(['part r1/p11.m4s is not INDEPENDENT=YES']);
  });

  it('finds rendition reports without a URI, with a bad LAST-MSN, or more than a segment away', () => {
    const report = (attrs: string) => live() + `#EXT-X-RENDITION-REPORT:${attrs}\n`;
    // live() ends in segment 4, open with p15 and p16.
    expect(checkMediaPlaylist(report('URI="../360p/index.m3u8",LAST-MSN=4,LAST-PART=1'))).toEqual([]);
    expect(checkMediaPlaylist(report('URI="../360p/index.m3u8",LAST-MSN=3,LAST-PART=5'))).toEqual([]);
    expect(checkMediaPlaylist(report('LAST-MSN=4'))).toEqual(['a rendition report without URI']);
    expect(checkMediaPlaylist(report('URI="../360p/index.m3u8",LAST-MSN=x'))).toEqual([
      'rendition report ../360p/index.m3u8: bad LAST-MSN',
    ]);
    expect(checkMediaPlaylist(report('URI="../360p/index.m3u8",LAST-MSN=9'))).toEqual([
      'rendition report ../360p/index.m3u8: LAST-MSN 9 is not within a segment of 4',
    ]);
  });

  it('finds parts still listed more than three target durations from the end', () => {
    const seg = (n: number) => [
      `#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:0${n}.000Z`,
      ...[0, 1].map((k) => `#EXT-X-PART:DURATION=0.5,URI="p${2 * n + k}.m4s",INDEPENDENT=YES`),
      '#EXTINF:1.0,',
      `s${n}.m4s`,
    ];
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      '#EXT-X-TARGETDURATION:1',
      '#EXT-X-PART-INF:PART-TARGET=0.5',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5',
      '#EXT-X-MAP:URI="init.mp4"',
      ...[0, 1, 2, 3].flatMap(seg),
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p8.m4s"',
      '',
    ].join('\n');
    expect(checkMediaPlaylist(text)).toEqual([
      'part p1.m4s is still listed 3.500 s from the end, over three target durations',
    ]);
  });

  it('wants exactly one preload hint while live, none once ended, and not of a listed part', () => {
    const text = live();
    expect(checkMediaPlaylist(edit(text, /#EXT-X-PRELOAD-HINT[^\n]*\n/, '')).join('\n')).toMatch(
      /needs one part preload hint, not 0/,
    );
    expect(checkMediaPlaylist(edit(text, 'URI="r1/p17.m4s"', 'URI="r1/p16.m4s"')).join('\n')).toMatch(
      /preload hint r1\/p16\.m4s is a part already listed/,
    );
    expect(checkMediaPlaylist(`${text}#EXT-X-ENDLIST\n`).join('\n')).toMatch(
      /ended playlist still has a preload hint/,
    );
  });

  it('finds program date-times that jump within a run or go back after a discontinuity', () => {
    const text = live();
    expect(
      checkMediaPlaylist(edit(text, '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:03.500Z')).join('\n'),
    ).toMatch(/segment 3's date-time 2026-01-01T00:00:03\.500Z does not follow the end of segment 2/);
    const back = edit(
      text,
      '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:03.000Z',
      '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="r2/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:02.000Z',
    );
    expect(checkMediaPlaylist(back).join('\n')).toMatch(
      /segment 3's date-time [^ ]+ goes back before the end of segment 2/,
    );
  });

  it('finds a new init segment without a discontinuity', () => {
    const text = edit(
      live(),
      '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:03.000Z',
      '#EXT-X-MAP:URI="r2/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:03.000Z',
    );
    expect(checkMediaPlaylist(text).join('\n')).toMatch(
      /segment 3 changes EXT-X-MAP without EXT-X-DISCONTINUITY/,
    );
  });

  it('finds a later version that rewrote, dropped or renumbered segments, or moved their discontinuity sequence', () => {
    const before = live();
    expect(checkPlaylistUpdate(before, edit(before, /^s1\.m4s$/m, 's9.m4s')).join('\n')).toMatch(
      /segment 1 changed from s1\.m4s to s9\.m4s/,
    );
    expect(
      checkPlaylistUpdate(
        before,
        edit(
          before,
          '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:01.000Z',
          '#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:01.000Z',
        ),
      ).join('\n'),
    ).toMatch(/segment 2 moved from discontinuity sequence 0 to 1/);
    expect(
      checkPlaylistUpdate(before, edit(before, 'TARGETDURATION:2', 'TARGETDURATION:3')).join('\n'),
    ).toMatch(/EXT-X-TARGETDURATION changed from 2 to 3/);
    expect(checkPlaylistUpdate(`${before}#EXT-X-ENDLIST\n`, before)).toEqual([
      'an ended playlist went live again',
    ]);
  });

  it('checks the master playlist: every variant with bandwidth, resolution, codecs and a URI', () => {
    const master = renderMaster([variant('720p', 720, 3_000_000), variant('360p', 360, 900_000)]);
    expect(checkMasterPlaylist(master)).toEqual([]);
    expect(checkMasterPlaylist(edit(master, ',CODECS="avc1.4d401f,mp4a.40.2"', ''))).toEqual([
      'variant 360p/index.m3u8 has no CODECS',
    ]);
    expect(checkMasterPlaylist('#EXTM3U\n')).toEqual(['the master playlist has no variant']);
  });
});
