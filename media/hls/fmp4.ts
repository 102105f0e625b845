/**
 * Just enough ISO-BMFF for the LL-HLS parts: whether an fMP4 fragment
 * (`moof` + `mdat`) starts on a sync sample (a keyframe), i.e. whether a
 * part is `INDEPENDENT=YES`; where it sits on the media timeline, so
 * playlists state the media's own durations; and its samples, which a
 * copied rendition's parts are cut from (see part-cutter.ts). Every answer
 * comes from one reading of the boxes (`trackRuns`).
 */

/** A box of `buf` between `start` and `end`: its type, body, and where it starts in `buf`. */
interface Box {
  type: string;
  body: Buffer;
  at: number;
}

function* boxes(buf: Buffer, start = 0, end = buf.length): Generator<Box> {
  let i = start;
  while (i + 8 <= end) {
    let size = buf.readUInt32BE(i);
    const type = buf.toString('latin1', i + 4, i + 8);
    let head = 8;
    if (size === 1) {
      if (i + 16 > end) return;
      size = Number(buf.readBigUInt64BE(i + 8));
      head = 16;
    } else if (size === 0) size = end - i;
    if (size < head || i + size > end) return;
    yield { type, body: buf.subarray(i + head, i + size), at: i };
    i += size;
  }
}

/** The body of `buf`'s first box of `type`. */
const child = (buf: Buffer, type: string): Buffer | undefined =>
  [...boxes(buf)].find((b) => b.type === type)?.body;

const NON_SYNC = 0x10000;

/** Whether sample flags mark a sync sample (a keyframe). */
export const isSyncSample = (flags: number): boolean => !(flags & NON_SYNC);

/**
 * One sample as a `traf` states it. A field the fragment leaves to the init
 * segment's `trex` is undefined; `offset` is where its data starts in the
 * buffer the fragment was read from.
 */
interface StatedSample {
  duration?: number;
  size?: number;
  flags?: number;
  /** Composition time offset (presentation − decode time). */
  cto: number;
  offset: number;
}

/** Reads a full box's optional fields in order, each there when its flag is set (else undefined). */
function optionalFields(body: Buffer, flags: number, at: number) {
  let o = at;
  const field = (flag: number, size: number, read: (o: number) => number): number | undefined => {
    if (!(flags & flag)) return undefined;
    o += size;
    return read(o - size);
  };
  return {
    u32: (flag: number) => field(flag, 4, (x) => body.readUInt32BE(x)),
    i32: (flag: number) => field(flag, 4, (x) => body.readInt32BE(x)),
    u64: (flag: number) => field(flag, 8, (x) => Number(body.readBigUInt64BE(x))),
  };
}

/** One track's samples in one `moof`, as stated. */
interface TrackRunStated {
  trackId: number;
  /** `tfdt`, in the track's timescale. */
  decodeTime?: number;
  samples: StatedSample[];
}

/**
 * The track runs of every `moof` in `buf`, in order (`first`: only the
 * first `moof`'s). Data offsets follow ISO/IEC 14496-12: from `tfhd`'s
 * base data offset, else from the `moof` (default-base-is-moof, or the
 * first `traf`), else from where the previous `traf`'s data ended.
 */
function trackRuns(buf: Buffer, first = false): TrackRunStated[] {
  const out: TrackRunStated[] = [];
  for (const moof of boxes(buf)) {
    if (moof.type !== 'moof') continue;
    let dataEnd: number | undefined;
    for (const traf of boxes(moof.body)) {
      if (traf.type !== 'traf') continue;
      const run: TrackRunStated = { trackId: -1, samples: [] };
      let base = dataEnd ?? moof.at;
      let defaults: { duration?: number; size?: number; flags?: number } = {};
      let next = base;
      for (const b of boxes(traf.body)) {
        if (b.body.length < 4) continue;
        const version = b.body[0];
        const fl = b.body.readUInt32BE(0) & 0xffffff;
        if (b.type === 'tfhd') {
          run.trackId = b.body.readUInt32BE(4);
          const f = optionalFields(b.body, fl, 8); // after version/flags, track_ID
          const baseOffset = f.u64(0x01);
          if (baseOffset !== undefined) base = baseOffset;
          else if (fl & 0x020000) base = moof.at;
          next = base;
          f.u32(0x02); // sample_description_index
          defaults = { duration: f.u32(0x08), size: f.u32(0x10), flags: f.u32(0x20) };
        } else if (b.type === 'tfdt') {
          run.decodeTime = version === 1 ? Number(b.body.readBigUInt64BE(4)) : b.body.readUInt32BE(4);
        } else if (b.type === 'trun') {
          const count = b.body.readUInt32BE(4);
          const f = optionalFields(b.body, fl, 8); // after version/flags, sample_count
          const dataOffset = f.i32(0x01);
          if (dataOffset !== undefined) next = base + dataOffset;
          const firstFlags = f.u32(0x04);
          for (let i = 0; i < count; i++) {
            const duration = f.u32(0x100);
            const size = f.u32(0x200);
            const flags = f.u32(0x400);
            // Signed in version 1; read so in version 0 too, where muxers (ffmpeg) write negative ones.
            const cto = f.i32(0x800);
            const s: StatedSample = {
              duration: duration ?? defaults.duration,
              size: size ?? defaults.size,
              flags: (i === 0 ? firstFlags : undefined) ?? flags ?? defaults.flags,
              cto: cto ?? 0,
              offset: next,
            };
            if (s.size !== undefined) next += s.size;
            run.samples.push(s);
          }
        }
      }
      dataEnd = next;
      out.push(run);
    }
    if (first) break;
  }
  return out;
}

/** One track's samples in a fragment (a `traf`), as far as its boxes say. */
export interface TrackFragment {
  trackId: number;
  /** `tfdt`, in the track's timescale. */
  decodeTime?: number;
  /** The first sample's flags: trun's first-sample or per-sample flags, else tfhd's default. */
  firstSampleFlags?: number;
  /** The samples' durations that the boxes state (trun per sample, else tfhd's default). */
  statedDuration: number;
  /** Samples whose duration is left to the init segment's `trex` default. */
  unstatedSamples: number;
}

/** The track fragments of `fragment`'s first `moof`; empty when there is none. */
export function readFragment(fragment: Buffer): TrackFragment[] {
  return trackRuns(fragment, true).map((r) => ({
    trackId: r.trackId,
    decodeTime: r.decodeTime,
    firstSampleFlags: r.samples[0]?.flags,
    statedDuration: r.samples.reduce((a, s) => a + (s.duration ?? 0), 0),
    unstatedSamples: r.samples.filter((s) => s.duration === undefined).length,
  }));
}

/**
 * True when the first sample of every track fragment is a sync sample;
 * false when one is not; undefined when the fragment does not say (flags
 * only in the init segment's `trex`, or no `moof`).
 */
export function startsWithSyncSample(fragment: readonly TrackFragment[]): boolean | undefined {
  const known = fragment.filter((t) => t.firstSampleFlags !== undefined);
  if (known.length === 0) return undefined;
  return known.every((t) => isSyncSample(t.firstSampleFlags!));
}

/** A track of an init segment (`moov`): id, timescale, whether it is video, and its `trex` defaults. */
export interface InitTrack {
  trackId: number;
  timescale: number;
  video: boolean;
  defaultSampleDuration: number;
  defaultSampleSize: number;
  defaultSampleFlags: number;
}

/** The tracks of an init segment, in its order; empty if unreadable. */
export function initTracks(init: Buffer): InitTrack[] {
  const moov = child(init, 'moov');
  if (!moov) return [];
  const tracks: InitTrack[] = [];
  for (const trak of boxes(moov)) {
    if (trak.type !== 'trak') continue;
    const tkhd = child(trak.body, 'tkhd');
    const mdia = child(trak.body, 'mdia');
    const mdhd = mdia && child(mdia, 'mdhd');
    const hdlr = mdia && child(mdia, 'hdlr');
    if (!tkhd || !mdhd) continue;
    tracks.push({
      trackId: tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12),
      timescale: mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12),
      video: hdlr?.toString('latin1', 8, 12) === 'vide',
      defaultSampleDuration: 0,
      defaultSampleSize: 0,
      defaultSampleFlags: 0,
    });
  }
  const mvex = child(moov, 'mvex');
  for (const trex of mvex ? boxes(mvex) : []) {
    if (trex.type !== 'trex' || trex.body.length < 24) continue;
    const t = tracks.find((x) => x.trackId === trex.body.readUInt32BE(4));
    if (!t) continue;
    t.defaultSampleDuration = trex.body.readUInt32BE(12);
    t.defaultSampleSize = trex.body.readUInt32BE(16);
    t.defaultSampleFlags = trex.body.readUInt32BE(20);
  }
  return tracks.filter((t) => t.timescale > 0);
}

/** The video track's timing from an init segment (the first track when none is video). */
export interface TrackTiming {
  trackId: number;
  timescale: number;
  defaultSampleDuration: number;
}

/** The video track's timing from an init segment (the first track when none is video); undefined if unreadable. */
export function videoTrackTiming(init: Buffer): TrackTiming | undefined {
  const tracks = initTracks(init);
  const track = tracks.find((t) => t.video) ?? tracks[0];
  return (
    track && {
      trackId: track.trackId,
      timescale: track.timescale,
      defaultSampleDuration: track.defaultSampleDuration,
    }
  );
}

/**
 * Where a fragment's samples of `track` sit on the media timeline, in the
 * track's timescale: its decode time (`tfdt`) and the sum of its sample
 * durations. Undefined when the fragment does not say.
 */
export function fragmentTiming(
  fragment: readonly TrackFragment[],
  track: TrackTiming,
): { start: number; duration: number } | undefined {
  const t = fragment.find((x) => x.trackId === track.trackId);
  if (!t || t.decodeTime === undefined) return undefined;
  const duration = t.statedDuration + t.unstatedSamples * track.defaultSampleDuration;
  return duration > 0 ? { start: t.decodeTime, duration } : undefined;
}

/** One sample with everything a fragment needs to carry it again. */
export interface Sample {
  duration: number;
  flags: number;
  cto: number;
  data: Buffer;
}

/** Consecutive samples of one track, the first at `decodeTime` (the track's timescale). */
export interface TrackSamples {
  trackId: number;
  decodeTime: number;
  samples: Sample[];
}

/** A fragment that cannot be read sample by sample (a muxer's fault, not a viewer's). */
export class FragmentError extends Error {}

/**
 * Every sample of every `moof` in `fragment`, with its data, the `trex`
 * defaults of `tracks` filled in. Throws FragmentError when a track is
 * unknown, a `tfdt` is missing or a sample's data lies outside the buffer.
 */
export function readSamples(fragment: Buffer, tracks: readonly InitTrack[]): TrackSamples[] {
  return trackRuns(fragment).map((r) => {
    const t = tracks.find((x) => x.trackId === r.trackId);
    if (!t) throw new FragmentError(`fragment of unknown track ${r.trackId}`);
    if (r.decodeTime === undefined) throw new FragmentError(`track ${r.trackId} fragment has no tfdt`);
    const samples = r.samples.map((s) => {
      const size = s.size ?? t.defaultSampleSize;
      if (s.offset < 0 || s.offset + size > fragment.length)
        throw new FragmentError(`track ${r.trackId} sample data outside the fragment`);
      return {
        duration: s.duration ?? t.defaultSampleDuration,
        flags: s.flags ?? t.defaultSampleFlags,
        cto: s.cto,
        data: fragment.subarray(s.offset, s.offset + size),
      };
    });
    return { trackId: r.trackId, decodeTime: r.decodeTime, samples };
  });
}

const fullBox = (type: string, version: number, flags: number, body: Buffer): Buffer => {
  const head = Buffer.alloc(12);
  head.writeUInt32BE(12 + body.length);
  head.write(type, 4, 'latin1');
  head.writeUInt32BE(((version << 24) | flags) >>> 0, 8);
  return Buffer.concat([head, body]);
};
const plainBox = (type: string, ...body: Buffer[]): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.reduce((a, b) => a + b.length, 0));
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, ...body]);
};

/** trun: data offset, and each sample's duration, size, flags and (signed) composition offset. */
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;

/**
 * One fragment (`moof` + `mdat`) carrying `runs`, tracks in the order given:
 * each `traf` is default-base-is-moof with a 64-bit `tfdt` and a version-1
 * `trun` stating every sample's fields, so nothing depends on the source's
 * defaults.
 */
export function writeFragment(sequence: number, runs: readonly TrackSamples[]): Buffer {
  const present = runs.filter((r) => r.samples.length > 0);
  const trafSize = (r: TrackSamples) => 8 + 16 + 20 + (12 + 8 + 16 * r.samples.length);
  const moofSize = 8 + 16 + present.reduce((a, r) => a + trafSize(r), 0);
  let dataAt = moofSize + 8;
  const trafs = present.map((r) => {
    const trun = Buffer.alloc(8 + 16 * r.samples.length);
    trun.writeUInt32BE(r.samples.length, 0);
    trun.writeInt32BE(dataAt, 4);
    r.samples.forEach((s, i) => {
      trun.writeUInt32BE(s.duration, 8 + i * 16);
      trun.writeUInt32BE(s.data.length, 12 + i * 16);
      trun.writeUInt32BE(s.flags >>> 0, 16 + i * 16);
      trun.writeInt32BE(s.cto, 20 + i * 16);
      dataAt += s.data.length;
    });
    const id = Buffer.alloc(4);
    id.writeUInt32BE(r.trackId);
    const tfdt = Buffer.alloc(8);
    tfdt.writeBigUInt64BE(BigInt(r.decodeTime));
    return plainBox(
      'traf',
      fullBox('tfhd', 0, 0x020000, id),
      fullBox('tfdt', 1, 0, tfdt),
      fullBox('trun', 1, TRUN_FLAGS, trun),
    );
  });
  const seq = Buffer.alloc(4);
  seq.writeUInt32BE(sequence >>> 0);
  const moof = plainBox('moof', fullBox('mfhd', 0, 0, seq), ...trafs);
  return Buffer.concat([moof, plainBox('mdat', ...present.flatMap((r) => r.samples.map((s) => s.data)))]);
}
