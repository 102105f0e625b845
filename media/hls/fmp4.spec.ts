import {
  fragmentTiming,
  initTracks,
  readFragment,
  readSamples,
  startsWithSyncSample,
  videoTrackTiming,
  writeFragment,
} from './fmp4';
import { partDuration } from './transcoder';

const box = (type: string, ...body: Buffer[]) => {
  const b = Buffer.concat(body);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + b.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, b]);
};
const u32 = (...n: number[]) =>
  Buffer.concat(n.map((x) => Buffer.from([x >>> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255])));
const SYNC = 0x02000000;
const NON_SYNC = 0x01010000;

/** A fragment as ffmpeg's mp4 muxer writes it: tfhd with default flags, trun with first-sample flags. */
function fragment(tracks: { defaults?: number; first?: number; perSample?: number }[]): Buffer {
  const trafs = tracks.map((t, i) => {
    const tfhd =
      t.defaults === undefined
        ? box('tfhd', u32(0x020000, i + 1))
        : box('tfhd', u32(0x020020, i + 1, t.defaults));
    const trun =
      t.first !== undefined
        ? box('trun', u32(0x000305, 2, 100, t.first, 512, 1000, 512, 900))
        : t.perSample !== undefined
          ? box('trun', u32(0x000701, 2, 100, 512, 1000, t.perSample, 512, 900, NON_SYNC))
          : box('trun', u32(0x000301, 2, 100, 512, 1000, 512, 900));
    return box('traf', tfhd, trun);
  });
  return Buffer.concat([
    box('styp', Buffer.from('msdh')),
    box('moof', box('mfhd', u32(0, 1)), ...trafs),
    box('mdat', Buffer.alloc(16)),
  ]);
}

describe('startsWithSyncSample', () => {
  it('reads the first sample flags of trun, else the tfhd default', () => {
    expect(
      startsWithSyncSample(readFragment(fragment([{ defaults: NON_SYNC, first: SYNC }, { defaults: SYNC }]))),
    ).toBe(true);
    expect(startsWithSyncSample(readFragment(fragment([{ defaults: NON_SYNC }, { defaults: SYNC }])))).toBe(
      false,
    );
    expect(startsWithSyncSample(readFragment(fragment([{ perSample: SYNC }])))).toBe(true);
    expect(startsWithSyncSample(readFragment(fragment([{ perSample: NON_SYNC }])))).toBe(false);
  });

  it('reads the first sample: an empty trun is skipped, a later trun does not count', () => {
    const traf = (...truns: Buffer[]) =>
      Buffer.concat([
        box('moof', box('mfhd', u32(0, 1)), box('traf', box('tfhd', u32(0x020020, 1, SYNC)), ...truns)),
      ]);
    const empty = box('trun', u32(0x000005, 0, 0, NON_SYNC));
    const firstNonSync = box('trun', u32(0x000305, 1, 100, NON_SYNC, 512, 1000));
    const noFlags = box('trun', u32(0x000301, 1, 100, 512, 1000));
    expect(startsWithSyncSample(readFragment(traf(empty, firstNonSync)))).toBe(false);
    expect(startsWithSyncSample(readFragment(traf(noFlags, firstNonSync)))).toBe(true);
  });

  it('is undefined when the fragment does not say (flags only in the init segment) or is no fragment', () => {
    expect(startsWithSyncSample(readFragment(fragment([{}])))).toBeUndefined();
    expect(startsWithSyncSample(readFragment(Buffer.from('not an mp4')))).toBeUndefined();
    expect(startsWithSyncSample(readFragment(Buffer.alloc(0)))).toBeUndefined();
  });
});

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const handler = (type: string) => Buffer.concat([u32(0, 0), Buffer.from(type, 'latin1'), u32(0, 0, 0)]);

/** An init segment with an audio track (id 1) and a video track (id 2), as ffmpeg's muxer lays them out. */
const init = (videoTrexDuration = 512) =>
  box(
    'moov',
    box('mvhd', u32(0, 0, 0, 1000, 0)),
    box(
      'trak',
      box('tkhd', u32(0, 0, 0, 1, 0)),
      box('mdia', box('mdhd', u32(0, 0, 0, 48000, 0)), box('hdlr', handler('soun'))),
    ),
    box(
      'trak',
      box('tkhd', u32(0, 0, 0, 2, 0)),
      box('mdia', box('mdhd', u32(0, 0, 0, 15360, 0)), box('hdlr', handler('vide'))),
    ),
    box('mvex', box('trex', u32(0, 1, 1, 1024, 0, 0)), box('trex', u32(0, 2, 1, videoTrexDuration, 0, 0))),
  );

/** A fragment with an audio traf first, then the video's: tfdt (64-bit) and the sample durations given. */
function timedFragment(start: number, durations: number[] | { count: number; tfhdDefault?: number }): Buffer {
  const audio = box(
    'traf',
    box('tfhd', u32(0x020000, 1)),
    box('tfdt', u32(0x01000000), u64(9)),
    box('trun', u32(0x000100, 1, 960)),
  );
  const perSample = Array.isArray(durations);
  const tfhd =
    !perSample && durations.tfhdDefault !== undefined
      ? box('tfhd', u32(0x020008, 2, durations.tfhdDefault))
      : box('tfhd', u32(0x020000, 2));
  const trun = perSample
    ? box('trun', u32(0x000101, durations.length, 100, ...durations))
    : box('trun', u32(0x000001, durations.count, 100));
  const video = box('traf', tfhd, box('tfdt', u32(0x01000000), u64(start)), trun);
  return Buffer.concat([box('moof', box('mfhd', u32(0, 1)), audio, video), box('mdat', Buffer.alloc(16))]);
}

describe('videoTrackTiming and fragmentTiming', () => {
  it("read the video track's timescale and a fragment's decode time and sample durations", () => {
    const track = videoTrackTiming(init())!;
    expect(track).toEqual({ trackId: 2, timescale: 15360, defaultSampleDuration: 512 });
    expect(fragmentTiming(readFragment(timedFragment(153600, [512, 512, 513])), track)).toEqual({
      start: 153600,
      duration: 1537,
    });
    // Durations from tfhd's default, else from the init segment's trex.
    expect(fragmentTiming(readFragment(timedFragment(0, { count: 10, tfhdDefault: 500 })), track)).toEqual({
      start: 0,
      duration: 5000,
    });
    expect(fragmentTiming(readFragment(timedFragment(0, { count: 10 })), track)).toEqual({
      start: 0,
      duration: 5120,
    });
  });

  it('are undefined for what is not an init segment or a fragment of the track', () => {
    expect(videoTrackTiming(Buffer.from('not an mp4'))).toBeUndefined();
    expect(
      fragmentTiming(readFragment(Buffer.alloc(0)), {
        trackId: 2,
        timescale: 15360,
        defaultSampleDuration: 0,
      }),
    ).toBeUndefined();
    expect(
      fragmentTiming(readFragment(timedFragment(0, [512])), {
        trackId: 3,
        timescale: 15360,
        defaultSampleDuration: 0,
      }),
    ).toBeUndefined();
  });
});

describe('partDuration', () => {
  const track = { trackId: 2, timescale: 15360, defaultSampleDuration: 0 };

  it('states parts so that they add up to the media, not to rounded EXTINFs', () => {
    const timeline = { track };
    let at = 0;
    const stated: number[] = [];
    // An hour of 1/3 s parts (5120 ticks each) from decode time 768 (50 ms), ffmpeg saying 0.333333 for each.
    for (let i = 0; i < 10_800; i++) {
      const d = partDuration(
        timeline,
        readFragment(timedFragment(768 + i * 5120, [512, 512, 512, 512, 512, 512, 512, 512, 512, 512])),
        at,
        0.333333,
      );
      stated.push(d);
      at += d;
    }
    expect(new Set(stated)).toEqual(new Set([0.333333, 0.333334]));
    expect(at).toBeCloseTo(3600, 6);
  });

  it("takes a copied rung's parts off the media (ffmpeg's EXTINF is off by a millisecond there)", () => {
    const timeline = { track };
    const parts: [ticks: number, extinf: number][] = [
      [5622, 0.36699],
      [4608, 0.3],
      [5130, 0.33301],
    ];
    let at = 0;
    let start = 0;
    const stated = parts.map(([ticks, extinf]) => {
      const d = partDuration(timeline, readFragment(timedFragment(start, [ticks])), at, extinf);
      start += ticks;
      at += d;
      return d;
    });
    expect(stated).toEqual([0.366016, 0.3, 0.333984]);
  });

  it("keeps ffmpeg's EXTINF when the fragment does not say", () => {
    expect(partDuration(undefined, readFragment(timedFragment(0, [512])), 0, 0.333333)).toBe(0.333333);
    expect(partDuration({ track }, readFragment(Buffer.from('junk')), 0, 0.3)).toBe(0.3);
  });
});

describe('readSamples and writeFragment', () => {
  const tracks = initTracks(init(512));

  it('reads the tracks of an init segment with their trex defaults', () => {
    expect(tracks).toEqual([
      {
        trackId: 1,
        timescale: 48000,
        video: false,
        defaultSampleDuration: 1024,
        defaultSampleSize: 0,
        defaultSampleFlags: 0,
      },
      {
        trackId: 2,
        timescale: 15360,
        video: true,
        defaultSampleDuration: 512,
        defaultSampleSize: 0,
        defaultSampleFlags: 0,
      },
    ]);
  });

  it('writes what it reads back: durations, flags, signed composition offsets and data, per track', () => {
    const runs = [
      {
        trackId: 2,
        decodeTime: 2 ** 33,
        samples: [
          { duration: 512, flags: SYNC, cto: 1024, data: Buffer.from('key') },
          { duration: 512, flags: NON_SYNC, cto: -512, data: Buffer.from('b-frame') },
        ],
      },
      {
        trackId: 1,
        decodeTime: 9,
        samples: [{ duration: 1024, flags: SYNC, cto: 0, data: Buffer.from('aac') }],
      },
    ];
    const f = writeFragment(7, runs);
    expect(readSamples(f, tracks)).toEqual(runs);
    expect(startsWithSyncSample(readFragment(f))).toBe(true);
    // Two fragments in one buffer (a segment of parts): both read, in order.
    expect(readSamples(Buffer.concat([f, f]), tracks)).toEqual([...runs, ...runs]);
  });

  it("finds the data as ISO BMFF says: from tfhd's base offset, or after the previous traf's data, with trex's defaults", () => {
    // Two trafs without base flags: the first's data starts at the moof, the second's where the first's ends.
    const first = box(
      'traf',
      box('tfhd', u32(0, 1)),
      box('tfdt', u32(0, 0)),
      box('trun', u32(0x000201, 1, 0, 3)),
    );
    const second = box(
      'traf',
      box('tfhd', u32(0, 2)),
      box('tfdt', u32(0, 5)),
      box('trun', u32(0x000200, 2, 2, 4)),
    );
    const moofOf = (...trafs: Buffer[]) => box('moof', box('mfhd', u32(0, 1)), ...trafs);
    const size = moofOf(first, second).length + 8;
    const withOffset = box(
      'traf',
      box('tfhd', u32(0, 1)),
      box('tfdt', u32(0, 0)),
      box('trun', u32(0x000201, 1, size, 3)),
    );
    const f = Buffer.concat([moofOf(withOffset, second), box('mdat', Buffer.from('aacvvvvvv'))]);
    const read = readSamples(f, tracks);
    expect(read.map((r) => r.samples.map((x) => [x.data.toString(), x.duration]))).toEqual([
      [['aac', 1024]],
      [
        ['vv', 512],
        ['vvvv', 512],
      ],
    ]);
    // tfhd's base data offset (0x01) counts from the buffer's start.
    const based = (at: number) =>
      box(
        'traf',
        box('tfhd', u32(0x000001, 2), u64(at)),
        box('tfdt', u32(0, 5)),
        box('trun', u32(0x000200, 1, 2)),
      );
    const moof = moofOf(based(0));
    const g = Buffer.concat([moofOf(based(moof.length + 8 + 3)), box('mdat', Buffer.from('aacVV'))]);
    expect(readSamples(g, tracks)[0].samples[0].data.toString()).toBe('VV');
  });
});
