import { checkMediaPlaylist, checkPlaylistUpdate } from './playlist-check';
import {
  deltaUpdate,
  FIRST_MSN,
  LlHlsPlaylist,
  partMayAppear,
  readPlaylist,
  renderMaster,
  satisfies,
} from './playlist';
import { liveShow, variant } from './fixtures';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const part = (run: number, n: number) => ({ uri: `r${run}/p${n}.m4s`, duration: 0.5, pdt: T0 + n * 500 });

const live = (parts: number) => liveShow(parts);

describe('LlHlsPlaylist', () => {
  it('writes the LL-HLS header: part target, blocking reload with a hold-back of three parts, EVENT type', () => {
    const text = live(1).render();
    expect(text.split('\n').slice(0, 9)).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-PART-INF:PART-TARGET=0.5',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,HOLD-BACK=6.0,CAN-SKIP-UNTIL=12.0',
      '#EXT-X-PLAYLIST-TYPE:EVENT',
      '#EXT-X-MEDIA-SEQUENCE:1',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="r1/init.mp4"',
    ]);
  });

  it('groups parts into a segment and returns it when full, with the date of its first part', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    pl.startRun('r1/init.mp4');
    expect(pl.addPart(part(1, 0))).toBeUndefined();
    pl.addPart(part(1, 1));
    pl.addPart(part(1, 2));
    const seg = pl.addPart(part(1, 3));
    expect(seg).toMatchObject({ msn: 1, uri: 's1.m4s', duration: 2, pdt: T0 });
    expect(seg!.parts.map((p) => p.uri)).toEqual(['r1/p0.m4s', 'r1/p1.m4s', 'r1/p2.m4s', 'r1/p3.m4s']);
  });

  it('marks only parts that start with a keyframe INDEPENDENT=YES', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 1 / 3, partsPerSegment: 4 });
    pl.startRun('r1/init.mp4');
    // Durations as the transcoder states them: the media's own, to the microsecond, adding up.
    const durations = [0.333333, 0.333334, 0.333333];
    for (let n = 0; n < 3; n++)
      pl.addPart({ uri: `r1/p${n}.m4s`, duration: durations[n], pdt: T0 + n * 333, independent: n === 0 });
    const text = pl.render();
    // Rounded up, so no part's stated duration is over it.
    expect(text).toContain('#EXT-X-PART-INF:PART-TARGET=0.333334');
    expect(text).toContain('PART-HOLD-BACK=1.0');
    expect(text).toContain('#EXT-X-PART:DURATION=0.333333,URI="r1/p0.m4s",INDEPENDENT=YES\n');
    expect(text).toContain('#EXT-X-PART:DURATION=0.333334,URI="r1/p1.m4s"\n');
    expect(text).toContain('#EXT-X-PART:DURATION=0.333333,URI="r1/p2.m4s"\n');
  });

  it('lists parts of the open segment and a preload hint for the next part', () => {
    const text = live(6).render();
    expect(text).toContain(
      [
        '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:02.000Z',
        '#EXT-X-PART:DURATION=0.5,URI="r1/p4.m4s",INDEPENDENT=YES',
        '#EXT-X-PART:DURATION=0.5,URI="r1/p5.m4s",INDEPENDENT=YES',
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="r1/p6.m4s"',
      ].join('\n'),
    );
    expect(text).toContain(
      '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z\n#EXT-X-PART:DURATION=0.5,URI="r1/p0.m4s"',
    );
    expect(text).toContain('#EXTINF:2.0,\ns1.m4s');
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });

  it('puts a program date-time on every segment and lists parts of the open and the last complete segment only', () => {
    const text = live(22).render();
    expect(text.match(/#EXT-X-PROGRAM-DATE-TIME/g)).toHaveLength(6);
    expect(text).not.toContain('URI="r1/p15.m4s"');
    expect(text).toContain('URI="r1/p16.m4s"');
    expect(text).toContain('URI="r1/p21.m4s"');
  });

  it("continues after a crash with a discontinuity, the new run's init segment, and the half segment closed short", () => {
    const pl = LlHlsPlaylist.restore(live(6).toJSON());
    const closed = pl.startRun('r2/init.mp4');
    expect(closed).toMatchObject({ msn: 2, duration: 1 });
    pl.addPart({ uri: 'r2/p0.m4s', duration: 0.5, pdt: T0 + 10_000 }, 'r2/p1.m4s');
    const text = pl.render();
    expect(text).toContain(
      '#EXTINF:1.0,\ns2.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="r2/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:10.000Z\n#EXT-X-PART:DURATION=0.5,URI="r2/p0.m4s"',
    );
    expect(pl.nextMsn).toBe(3);
  });

  it('numbers segments from 1, and a playlist restored from before that on from 0', () => {
    expect(live(4).segments[0]).toMatchObject({ msn: 1, uri: 's1.m4s' });
    const { firstMsn, ...now } = live(6).toJSON();
    expect(firstMsn).toBe(1);
    // The same state as written before segments were numbered from 1.
    const old = {
      ...now,
      segments: now.segments.map((g) => ({ ...g, msn: g.msn - 1, uri: `s${g.msn - 1}.m4s` })),
      open: { ...now.open!, msn: now.open!.msn - 1 },
    };
    const restored = LlHlsPlaylist.restore(old);
    expect(restored.nextMsn).toBe(1);
    restored.startRun('r2/init.mp4');
    restored.addPart({ uri: 'r2/p0.m4s', duration: 0.5, pdt: T0 + 10_000 });
    expect(restored.segments.map((g) => g.uri)).toEqual(['s0.m4s', 's1.m4s']);
    expect(restored.nextMsn).toBe(2);
    expect(restored.render()).toContain('#EXT-X-MEDIA-SEQUENCE:0\n');
  });

  it('ends with EXT-X-ENDLIST, no preload hint, and the open parts as a last short segment', () => {
    const pl = live(5);
    const last = pl.end();
    expect(last).toMatchObject({ msn: 2, duration: 0.5 });
    const text = pl.render();
    expect(text.trimEnd().endsWith('#EXTINF:0.5,\ns2.m4s\n#EXT-X-ENDLIST')).toBe(true);
    expect(text).not.toContain('PRELOAD-HINT');
  });

  it('keeps the parts of the segments it lists with parts only, and leaves closed segments handed out whole', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    pl.startRun('r1/init.mp4');
    const closed = Array.from({ length: 14 }, (_, n) => pl.addPart(part(1, n))).filter(Boolean);
    expect(pl.toJSON().segments.map((s) => s.parts.length)).toEqual([0, 0, 4]);
    expect(closed.map((s) => s!.parts.length)).toEqual([4, 4, 4]);
  });

  it('renders what a fresh copy of its state renders, at every step of a show that restarts, ends and resumes', () => {
    // It renders the lines of segments listed without parts once, and reuses them.
    const pl = LlHlsPlaylist.create({ partTarget: 0.2, partsPerSegment: 10, firstSegmentParts: 4 });
    const reports = [{ uri: '../480p/index.m3u8', lastMsn: 3, lastPart: 1 }];
    const same = () => expect(pl.render(reports)).toBe(LlHlsPlaylist.restore(pl.toJSON()).render(reports));
    let pdt = T0;
    for (const [run, parts] of [
      [1, 37],
      [2, 3],
      [3, 25],
    ]) {
      pl.startRun(`r${run}/init.mp4`);
      same();
      for (let n = 0; n < parts; n++, pdt += 200) {
        pl.addPart({ uri: `r${run}/p${n}.m4s`, duration: 0.2, pdt, independent: n % 2 === 0 });
        same();
      }
      if (run === 2) {
        pl.end();
        same();
      }
    }
    pl.end();
    same();
  });

  it('says the longest segment rounded to the nearest second, as the RFC bounds EXTINF, at least 1', () => {
    const cases: [number, number, number][] = [
      [0.201, 10, 2],
      [0.25, 10, 3],
      [0.2, 2, 1],
    ];
    for (const [partTarget, partsPerSegment, target] of cases)
      expect(LlHlsPlaylist.create({ partTarget, partsPerSegment }).render()).toContain(
        `#EXT-X-TARGETDURATION:${target}\n`,
      );
  });

  it("raises TARGETDURATION when a segment runs long (copied H.264 follows the publisher's GOP)", () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 1 });
    pl.startRun('r1/init.mp4');
    pl.addPart({ uri: 'r1/p0.m4s', duration: 3.4, pdt: T0 });
    expect(pl.render()).toContain('#EXT-X-TARGETDURATION:3');
  });
});

describe('blocking reload position', () => {
  it('reads the last complete segment and the parts after it', () => {
    expect(readPlaylist(live(6).render())).toMatchObject({ lastMsn: 1, trailingParts: 2, ended: false });
    expect(readPlaylist(live(0).render())).toMatchObject({ lastMsn: 0, trailingParts: 0, ended: false });
  });

  it("agrees with the writer's own state at every part of a show with a restart, as does its delta update", () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.2, partsPerSegment: 10, firstSegmentParts: 4 });
    let pdt = T0;
    for (const [run, parts] of [
      [1, 120],
      [2, 75],
    ]) {
      pl.startRun(`r${run}/init.mp4`);
      for (let n = 0; n < parts; n++, pdt += 200) {
        pl.addPart(
          { uri: `r${run}/p${n}.m4s`, duration: 0.2, pdt, independent: n % 2 === 0 },
          `r${run}/p${n + 1}.m4s`,
        );
        const text = pl.render();
        const read = readPlaylist(text);
        const report = pl.report('x')!;
        // The report names the last part listed: of the open segment (lastMsn + 1), or of the last one.
        const open = report.lastMsn === read.lastMsn + 1;
        expect(open ? read.trailingParts - 1 : pl.segments.at(-1)!.parts.length - 1).toBe(report.lastPart);
        expect(report.lastMsn).toBe(open ? read.lastMsn + 1 : read.lastMsn);
        expect(read.lastMsn).toBe(pl.segments.at(-1)?.msn ?? FIRST_MSN - 1);
        expect(read.lastPart).toEqual({ run, n: n + 1 });
        expect(read.ended).toBe(false);
        expect(readPlaylist(deltaUpdate(text))).toEqual(read);
      }
    }
    pl.end();
    expect(readPlaylist(pl.render())).toMatchObject({
      lastMsn: pl.segments.at(-1)!.msn,
      trailingParts: 0,
      ended: true,
    });
  });

  it('counts the segments of a playlist that names them otherwise, whole or as a delta update', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    pl.startRun('r1/init.mp4');
    for (let n = 0; n < 42; n++) pl.addPart(part(1, n), `r1/p${n + 1}.m4s`);
    const full = pl.render();
    const renamed = full.replace(/^s(\d+)\.m4s$/gm, 'seg-$1.ts');
    expect(renamed).not.toBe(full);
    expect(readPlaylist(renamed)).toEqual(readPlaylist(full));
    expect(readPlaylist(deltaUpdate(renamed))).toEqual(readPlaylist(full));
    expect(deltaUpdate(renamed)).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n');
  });

  it('is satisfied by a listed segment or part, not by one still to come', () => {
    const pos = readPlaylist(live(6).render());
    expect(satisfies(pos, 1)).toBe(true);
    expect(satisfies(pos, 2)).toBe(false);
    expect(satisfies(pos, 2, 1)).toBe(true);
    expect(satisfies(pos, 2, 2)).toBe(false);
    expect(satisfies({ ...pos, ended: true }, 9, 0)).toBe(true);
  });
});

describe('renderMaster', () => {
  it('lists each rendition with BANDWIDTH, RESOLUTION and CODECS', () => {
    expect(renderMaster([variant('720p', 720, 3_000_000)])).toBe(
      '#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2700000,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2",FRAME-RATE=30.000\n' +
        '720p/index.m3u8\n',
    );
  });
});

describe('renderMaster order', () => {
  it('lists the lowest bandwidth first, where players start', () => {
    const text = renderMaster([
      variant('720p', 720, 3_000_000),
      variant('360p', 360, 900_000),
      variant('480p', 480, 1_500_000),
    ]);
    expect([...text.matchAll(/^(\w+)\/index\.m3u8$/gm)].map((m) => m[1])).toEqual(['360p', '480p', '720p']);
  });
});

describe('partMayAppear', () => {
  const text = live(5).render(); // parts r1/p0..p4 listed, hint r1/p5.m4s

  it('holds the preload-hinted part and the next ones', () => {
    expect(text).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="r1/p5.m4s"');
    expect(partMayAppear(readPlaylist(text), 'r1/p5.m4s')).toBe(true);
    expect(partMayAppear(readPlaylist(text), 'r1/p7.m4s')).toBe(true);
  });

  it('answers at once for parts far ahead, of another run, of an ended stream or not parts at all', () => {
    expect(partMayAppear(readPlaylist(text), 'r1/p8.m4s')).toBe(false);
    expect(partMayAppear(readPlaylist(text), 'r1/p1.m4s')).toBe(false);
    expect(partMayAppear(readPlaylist(text), 'r2/p5.m4s')).toBe(false);
    expect(partMayAppear(readPlaylist(text), 'r1/init.mp4')).toBe(false);
    expect(partMayAppear(readPlaylist(`${text}#EXT-X-ENDLIST\n`), 'r1/p5.m4s')).toBe(false);
    expect(partMayAppear(readPlaylist(''), 'r1/p5.m4s')).toBe(false);
  });
});

describe('LlHlsPlaylist of a copied encoder (segments close at its keyframes)', () => {
  const p = (n: number, independent: boolean) => ({ ...part(1, n), independent });

  it('closes a segment at the first keyframe once it has its usual parts, so every segment starts with one', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 2 });
    pl.startRun('r1/init.mp4', { keyframeSegments: true });
    // A keyframe every 3 parts: segments of 3 parts, not 2.
    const closed = [true, false, false, true, false, false, true].map((k, n) => pl.addPart(p(n, k)));
    expect(closed.map((s) => s?.uri)).toEqual([
      undefined,
      undefined,
      undefined,
      's1.m4s',
      undefined,
      undefined,
      's2.m4s',
    ]);
    expect(closed.flatMap((s) => (s ? [s.parts.map((x) => x.independent)] : []))).toEqual([
      [true, false, false],
      [true, false, false],
    ]);
    expect(pl.toJSON().run).toMatchObject({ keyframeSegments: true });
  });

  it('closes a segment early at a keyframe that a short part came before (a short part may only end a segment)', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    pl.startRun('r1/init.mp4', { keyframeSegments: true });
    // Parts of 0.5 s; an encoder's keyframe 1.2 s in cuts the third part to 0.2 s, a later one the sixth to 0.42 s.
    const lengths = [0.5, 0.5, 0.2, 0.5, 0.5, 0.42, 0.5, 0.425, 0.5];
    const keyframes = [0, 3, 6, 8];
    let at = T0;
    const closed = lengths.map((duration, n) => {
      const x = { uri: `r1/p${n}.m4s`, duration, pdt: at, independent: keyframes.includes(n) };
      at += duration * 1000;
      return pl.addPart(x, `r1/p${n + 1}.m4s`);
    });
    // 0.42 s is 84 % of the target, so it ends its segment too; a part of 85 % (0.425 s) need not.
    expect(closed.map((s) => s?.parts.length)).toEqual([
      undefined,
      undefined,
      undefined,
      3,
      undefined,
      undefined,
      3,
      undefined,
      undefined,
    ]);
    expect(checkMediaPlaylist(pl.render())).toEqual([]);
  });

  /**
   * An encoder's show in parts of 0.2 s (segments of 2 s, the first of 0.6 s) with a keyframe at
   * each of `keyframes` seconds; every playlist a player could start on, and every one after it.
   */
  const encoderShow = (keyframes: number[], seconds: number) => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.2, partsPerSegment: 10, firstSegmentParts: 3 });
    pl.startRun('r1/init.mp4', { keyframeSegments: true });
    const seen: string[] = [];
    for (let n = 0; n < seconds / 0.2; n++) {
      const x = { uri: `r1/p${n}.m4s`, duration: 0.2, pdt: T0 + n * 200 };
      pl.addPart(
        { ...x, independent: keyframes.some((k) => Math.abs(k - n * 0.2) < 1e-6) },
        `r1/p${n + 1}.m4s`,
      );
      const text = pl.render();
      if (readPlaylist(text).startable) seen.push(text);
    }
    const problems = seen.flatMap((text, i) => [
      ...checkMediaPlaylist(text),
      ...(i > 0 ? checkPlaylistUpdate(seen[i - 1], text) : []),
    ]);
    return { pl, seen, problems };
  };
  const every = (interval: number, seconds: number) =>
    Array.from({ length: Math.ceil(seconds / interval) }, (_, i) => Math.round(i * interval * 10) / 10);

  it('closes a segment at an earlier keyframe when waiting for the next would run over the target duration', () => {
    // A keyframe every 1.8 s: waiting for a second one made segments of 3.6 s in a playlist that said 2.
    const { pl, problems } = encoderShow(every(1.8, 30), 30);
    expect(problems).toEqual([]);
    expect(new Set(pl.segments.map((x) => x.duration.toFixed(3)))).toEqual(new Set(['1.800']));
    expect(pl.render()).toContain('#EXT-X-TARGETDURATION:2\n');
  });

  it('takes the target duration from the first keyframe interval, before a player can start, when it is longer', () => {
    // A keyframe every 4 s (an encoder left on a long interval): segments of one interval each.
    const { pl, seen, problems } = encoderShow(every(4, 30), 30);
    expect(problems).toEqual([]);
    expect(seen[0]).toContain('#EXT-X-TARGETDURATION:4\n');
    expect(new Set(pl.segments.map((x) => x.duration.toFixed(3)))).toEqual(new Set(['4.000']));
    // Keyframes 1 s apart still make segments of the usual 2 s.
    expect(
      encoderShow(every(1, 20), 20)
        .pl.segments.slice(1)
        .map((x) => x.duration.toFixed(3)),
    ).toEqual(Array(9).fill('2.000'));
  });

  it('raises the target duration only for a keyframe interval longer than any before it', () => {
    // Keyframes 1.8 s apart, then a gap of 3.6 s: that segment is 3.6 s long whatever is done, and
    // the target says so (the one change left, see startRun).
    const { pl, problems } = encoderShow([...every(1.8, 10), 12.6, 14.4], 16);
    expect(problems).toEqual(['EXT-X-TARGETDURATION changed from 2 to 4']);
    expect(pl.segments.map((x) => x.duration.toFixed(1)).join(' ')).toBe('1.8 1.8 1.8 1.8 1.8 3.6 1.8');
  });

  it('closes anyway at six times the usual length when no keyframe comes', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 2 });
    pl.startRun('r1/init.mp4', { keyframeSegments: true });
    const closed = Array.from({ length: 12 }, (_, n) => pl.addPart(p(n, n === 0)));
    expect(closed.filter(Boolean).map((s) => s!.parts.length)).toEqual([12]);
  });
});

describe('the first segment of a run', () => {
  it('closes after firstSegmentParts parts in every run, then segments are their usual length', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4, firstSegmentParts: 2 });
    pl.startRun('r1/init.mp4');
    for (let n = 0; n < 7; n++) pl.addPart(part(1, n));
    pl.startRun('r2/init.mp4');
    for (let n = 0; n < 3; n++) pl.addPart(part(2, n));
    // Parts of 0.5 s.
    expect(pl.segments.map((s) => s.duration)).toEqual([1, 2, 0.5, 1]);
    expect(pl.segments.map((s) => s.discontinuity)).toEqual([false, false, false, true]);
    // The target duration is the usual segment's.
    expect(pl.render()).toContain('#EXT-X-TARGETDURATION:2\n');
  });

  it('is the usual length without firstSegmentParts (and in playlists restored from before it)', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    pl.startRun('r1/init.mp4');
    for (let n = 0; n < 5; n++) pl.addPart(part(1, n));
    expect(pl.segments.map((s) => s.duration)).toEqual([2]);
  });
});

describe('readPlaylist: startable', () => {
  const pl = () => LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4, firstSegmentParts: 3 });

  it('holds once a complete segment and PART-HOLD-BACK of media are listed', () => {
    const p = pl();
    p.startRun('r1/init.mp4');
    const seen: boolean[] = [];
    for (let n = 0; n < 4; n++) {
      p.addPart(part(1, n), `r1/p${n + 1}.m4s`);
      seen.push(readPlaylist(p.render()).startable);
    }
    // Hold-back 1.5 s = 3 parts of 0.5 s, and the first segment closes at the third.
    expect(seen).toEqual([false, false, true, true]);
  });

  it('holds for parts alone only when they are in a complete segment (hls.js finds no segment in parts alone)', () => {
    const p = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    p.startRun('r1/init.mp4');
    for (let n = 0; n < 3; n++) p.addPart(part(1, n), `r1/p${n + 1}.m4s`);
    expect(readPlaylist(p.render()).startable).toBe(false);
    p.addPart(part(1, 3), 'r1/p4.m4s');
    expect(readPlaylist(p.render()).startable).toBe(true);
  });

  it('holds for an ended playlist, and for a playlist without LL-HLS once it has a segment', () => {
    const p = pl();
    p.startRun('r1/init.mp4');
    p.addPart(part(1, 0));
    p.end();
    expect(readPlaylist(p.render()).startable).toBe(true);
    expect(readPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n').startable).toBe(false);
    expect(readPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\ns0.ts\n').startable).toBe(true);
  });
});

describe('rendition reports', () => {
  it('reports the last part of the open segment, or of the last segment, and nothing once ended', () => {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    pl.startRun('r1/init.mp4');
    expect(pl.report('../480p/index.m3u8')).toBeUndefined();
    for (let n = 0; n < 6; n++) pl.addPart(part(1, n), `r1/p${n + 1}.m4s`);
    // s1 is p0-p3; segment 2 is open with p4 and p5.
    expect(pl.report('../480p/index.m3u8')).toEqual({ uri: '../480p/index.m3u8', lastMsn: 2, lastPart: 1 });
    pl.addPart(part(1, 6), 'r1/p7.m4s');
    pl.addPart(part(1, 7), 'r1/p8.m4s');
    // Segment 2 just closed: nothing is open.
    expect(pl.report('../480p/index.m3u8')).toEqual({ uri: '../480p/index.m3u8', lastMsn: 2, lastPart: 3 });
    pl.end();
    expect(pl.report('../480p/index.m3u8')).toBeUndefined();
  });

  it('ends a live playlist with the reports it is given, after the preload hint; an ended one has none', () => {
    const pl = live(6);
    const reports = [
      { uri: '../720p/index.m3u8', lastMsn: 2, lastPart: 1 },
      { uri: '../360p/index.m3u8', lastMsn: 2 },
    ];
    const text = pl.render(reports);
    expect(
      text.endsWith(
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="r1/p6.m4s"\n' +
          '#EXT-X-RENDITION-REPORT:URI="../720p/index.m3u8",LAST-MSN=2,LAST-PART=1\n' +
          '#EXT-X-RENDITION-REPORT:URI="../360p/index.m3u8",LAST-MSN=2\n',
      ),
    ).toBe(true);
    expect(checkMediaPlaylist(text)).toEqual([]);
    // A delta update keeps them.
    expect(deltaUpdate(text)).toBe(text);
    pl.end();
    expect(pl.render(reports)).not.toContain('RENDITION-REPORT');
  });
});

describe('deltaUpdate (_HLS_skip=YES)', () => {
  /** 2 s segments (4 parts of 0.5 s): `runs` gives the parts of each transcode run, in order. */
  function show(...runs: number[]): string {
    const pl = LlHlsPlaylist.create({ partTarget: 0.5, partsPerSegment: 4 });
    let n = 0;
    runs.forEach((parts, r) => {
      pl.startRun(`r${r + 1}/init.mp4`);
      for (let k = 0; k < parts; k++, n++)
        pl.addPart(
          { uri: `r${r + 1}/p${k}.m4s`, duration: 0.5, pdt: T0 + n * 500 + r * 60_000 },
          `r${r + 1}/p${k + 1}.m4s`,
        );
    });
    return pl.render();
  }
  const lines = (text: string) => text.split('\n');

  it('replaces the segments that end 12 s (six target durations) or more before the end with one EXT-X-SKIP', () => {
    // s1-s10 (20 s) and two open parts: the playlist ends at 21 s; s1-s4 end 13-19 s before it.
    const full = show(42);
    const delta = deltaUpdate(full);
    expect(delta).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n');
    for (const uri of ['s1.m4s', 's4.m4s']) expect(lines(delta)).not.toContain(uri);
    // Everything from s5 on is the whole playlist's, and the header is unchanged.
    const s5 = lines(full).indexOf('s5.m4s');
    expect(lines(delta).slice(-(lines(full).length - s5))).toEqual(lines(full).slice(s5));
    expect(delta).toContain('#EXT-X-MEDIA-SEQUENCE:1\n');
    expect(readPlaylist(delta)).toEqual(readPlaylist(full));
    expect(checkMediaPlaylist(delta)).toEqual([]);
  });

  it('keeps what an hour-long show sends at each reload to its last twelve seconds', () => {
    const full = show(7202);
    const delta = deltaUpdate(full);
    expect(delta).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=1794\n');
    expect(full.length).toBeGreaterThan(100_000);
    expect(delta.length).toBeLessThan(1_500);
  });

  it('keeps the EXT-X-MAP the first listed segment plays with, and a discontinuity it starts with', () => {
    // r1: s1-s3 (12 parts); r2: s4 (its first segment) to s10 and two open parts. s1-s4 are
    // skipped: s5 needs r2's map.
    const delta = deltaUpdate(show(12, 30));
    expect(delta).toContain(
      '#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n#EXT-X-MAP:URI="r2/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:',
    );
    expect(delta).not.toContain('r1/init.mp4');
    expect(delta).not.toContain('#EXT-X-DISCONTINUITY');
    expect(checkMediaPlaylist(delta)).toEqual([]);
    // r1: s1-s6; r2: s7-s12 and two open parts. The run restarts at the first listed segment:
    // its discontinuity and map stay, in order.
    const atRestart = deltaUpdate(show(24, 26));
    expect(atRestart).toContain(
      '#EXT-X-SKIP:SKIPPED-SEGMENTS=6\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="r2/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:',
    );
    expect(checkMediaPlaylist(atRestart)).toEqual([]);
  });

  it('leaves a playlist shorter than the Skip Boundary, or one that offers no delta updates, as it is', () => {
    const short = show(26);
    expect(deltaUpdate(short)).toBe(short);
    const noSkip = show(42).replace(/,CAN-SKIP-UNTIL=[\d.]+/, '');
    expect(deltaUpdate(noSkip)).toBe(noSkip);
  });

  it('makes delta updates a player can follow: each names the same segments as the whole playlist', () => {
    let before: string | undefined;
    for (let parts = 40; parts < 60; parts++) {
      const full = show(parts);
      const delta = deltaUpdate(full);
      expect(readPlaylist(delta)).toEqual(readPlaylist(full));
      if (before !== undefined) expect(checkPlaylistUpdate(before, delta)).toEqual([]);
      before = delta;
    }
  });
});
