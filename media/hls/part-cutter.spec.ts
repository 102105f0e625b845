import { FragmentError, type InitTrack, isSyncSample, readSamples, type Sample, writeFragment } from './fmp4';
import { copiedPartTarget, copiedPartTiming } from './ladder';
import { type CutPart, PartCutter } from './part-cutter';

const VIDEO: InitTrack = {
  trackId: 1,
  timescale: 1_000_000,
  video: true,
  defaultSampleDuration: 0,
  defaultSampleSize: 0,
  defaultSampleFlags: 0,
};
const AUDIO: InitTrack = { ...VIDEO, trackId: 2, timescale: 48_000, video: false };
const TRACKS = [VIDEO, AUDIO];
const SYNC = 0x02000000;
const NON_SYNC = 0x01010000;

/** A frame of a stream: when it is decoded (µs), whether it is a keyframe, and a payload naming it. */
interface Frame {
  dts: number;
  key: boolean;
}

/** Frames at `fps` with FLV's millisecond timestamps (rounded, or truncated as OBS does), a keyframe every `gop`. */
const frames = (n: number, fps: number, gop: number, ms: (x: number) => number = Math.round): Frame[] =>
  Array.from({ length: n }, (_, i) => ({ dts: ms((i * 1000) / fps) * 1000, key: i % gop === 0 }));

const sample = (duration: number, key: boolean, tag: string): Sample => ({
  duration,
  flags: key ? SYNC : NON_SYNC,
  cto: 0,
  data: Buffer.from(tag),
});

/**
 * ffmpeg's fragments of `video` (and AAC frames of 1,024 at 48 kHz beside it):
 * one at each frame in `cutAt` (its index), as the HLS muxer cuts a copied
 * B-frame stream at each reference frame. Audio goes in the fragment of the
 * video frame after which it is decoded.
 */
function fragments(video: Frame[], cutAt: Set<number>, withAudio = true): Buffer[] {
  const out: Buffer[] = [];
  let audioAt = 0;
  let start = 0;
  const end = video[video.length - 1].dts + 33_000;
  for (let i = 1; i <= video.length; i++) {
    if (i < video.length && !cutAt.has(i)) continue;
    const v = video.slice(start, i).map((f, k) => {
      const next = video[start + k + 1]?.dts ?? end;
      return sample(next - f.dts, f.key, `v${start + k}`);
    });
    const until = i < video.length ? video[i].dts : end;
    const a: Sample[] = [];
    const audioStart = audioAt;
    while (withAudio && (audioAt * 1024 * 1e6) / 48_000 < until) a.push(sample(1024, true, `a${audioAt++}`));
    out.push(
      writeFragment(out.length + 1, [
        { trackId: 1, decodeTime: video[start].dts, samples: v },
        { trackId: 2, decodeTime: audioStart * 1024, samples: a },
      ]),
    );
    start = i;
  }
  return out;
}

/** Cuts `frags` as the transcoder does (each fragment as it comes, the rest at the end). */
function cutAll(
  frags: Buffer[],
  maxPart: number,
): { video: string[]; audio: string[]; length: number; key: boolean }[] {
  const cutter = new PartCutter(TRACKS, maxPart);
  const cut: CutPart[] = [];
  for (const f of frags) {
    cutter.push(f);
    cut.push(...cutter.take());
  }
  cut.push(...cutter.take(true));
  // Numbered in order from 0 (the transcoder names the part files by it).
  expect(cut.map((p) => p.index)).toEqual(cut.map((_, i) => i));
  const parts = cut.map((p) => p.data);
  let videoAt: number | undefined;
  let audioAt: number | undefined;
  return parts.map((p) => {
    const runs = readSamples(p, TRACKS);
    const v = runs.find((r) => r.trackId === 1)!;
    const a = runs.find((r) => r.trackId === 2);
    // Each track's parts follow each other on its timeline, with no gap and no overlap.
    if (videoAt !== undefined) expect(v.decodeTime).toBe(videoAt);
    videoAt = v.decodeTime + v.samples.reduce((x, s) => x + s.duration, 0);
    if (a) {
      if (audioAt !== undefined) expect(a.decodeTime).toBe(audioAt);
      audioAt = a.decodeTime + a.samples.length * 1024;
    }
    return {
      video: v.samples.map((s) => s.data.toString()),
      audio: (a?.samples ?? []).map((s) => s.data.toString()),
      length: videoAt - v.decodeTime,
      key: isSyncSample(v.samples[0].flags),
    };
  });
}

/** Reference frames of x264 with up to two adaptive B-frames: groups of 1–3 frames after each keyframe. */
function bFrameCuts(n: number, gop: number): Set<number> {
  const cuts = new Set<number>();
  const groups = [3, 2, 3, 1, 3, 3, 2];
  for (let i = 1, g = 0; i < n; i += groups[g++ % groups.length]) {
    const keyframe = Math.ceil(i / gop) * gop;
    if (keyframe < i + groups[g % groups.length] && keyframe > i) cuts.add(keyframe);
    cuts.add(Math.min(i, keyframe));
  }
  for (let k = 0; k < n; k += gop) cuts.add(k);
  return cuts;
}

describe('PartCutter: a copied rendition cut into parts of whole frames', () => {
  it('cuts B-frame groups (x264, two adaptive B-frames) into parts of 6 frames, each within PART-TARGET, keyframes first', () => {
    const video = frames(600, 30, 60);
    const parts = cutAll(fragments(video, bFrameCuts(600, 60)), 0.2);
    expect(parts).toHaveLength(100);
    expect(new Set(parts.map((p) => p.video.length))).toEqual(new Set([6]));
    expect(Math.max(...parts.map((p) => p.length))).toBe(200_000);
    // Every frame and audio frame once, in order.
    expect(parts.flatMap((p) => p.video)).toEqual(video.map((_, i) => `v${i}`));
    expect(parts.flatMap((p) => p.audio)).toEqual(Array.from({ length: 938 }, (_, i) => `a${i}`));
    // The keyframes (every 60 frames) start every tenth part.
    parts.forEach((p, i) =>
      expect([p.video[0] === `v${Math.floor(i / 10) * 60}`, p.key]).toEqual([i % 10 === 0, i % 10 === 0]),
    );
  });

  it('keeps 6 frames a part at 29.97 fps under its own PART-TARGET, over ten minutes of rounded or truncated (OBS) timestamps', () => {
    const ntsc = 30000 / 1001;
    const own = copiedPartTiming(
      { partSeconds: 0.2, partsPerSegment: 10, keyframeParts: 2 },
      { source: ntsc, encoded: 30 },
    ).copiedPart!;
    for (const ms of [Math.round, Math.floor]) {
      const video = frames(18_000, ntsc, 60, ms);
      const every = new Set(video.map((_, i) => i));
      const parts = cutAll(fragments(video, every, false), copiedPartTarget(own));
      expect(parts).toHaveLength(3000);
      expect(new Set(parts.map((p) => p.video.length))).toEqual(new Set([6]));
      expect(new Set(parts.map((p) => p.length))).toEqual(new Set([200_000, 201_000]));
    }
  });

  it("starts a part at every keyframe: an encoder's keyframe between part boundaries cuts the part before it short", () => {
    // A keyframe every 50 frames: 8 parts of 6 frames, then one of 2 before it.
    const parts = cutAll(
      fragments(frames(100, 30, 50), new Set(Array.from({ length: 100 }, (_, i) => i))),
      0.2,
    );
    expect(parts.map((p) => p.video.length)).toEqual([6, 6, 6, 6, 6, 6, 6, 6, 2, 6, 6, 6, 6, 6, 6, 6, 6, 2]);
    expect(parts[9].video[0]).toBe('v50');
  });

  it('holds a part while another frame may fit, sends a full one at once, and a frame longer than PART-TARGET is a part alone', () => {
    const cutter = new PartCutter(TRACKS, 0.25);
    const video = frames(7, 30, 60);
    const [first, second] = fragments(video, new Set([6]), false);
    // Six frames, 0.2 s: a seventh may fit in 0.25 s.
    cutter.push(first);
    expect(cutter.take()).toEqual([]);
    // Seven, 0.233 s: no frame as short as 0.033 s fits in what is left.
    cutter.push(second);
    expect(cutter.take().map((p) => p.duration)).toEqual([0.233]);
    // A frozen encoder's frame of 0.5 s.
    cutter.push(
      writeFragment(9, [{ trackId: 1, decodeTime: 233_000, samples: [sample(500_000, false, 'long')] }]),
    );
    expect(cutter.take().map((p) => p.duration)).toEqual([0.5]);
    expect(cutter.take(true)).toEqual([]);
  });

  it('puts audio in the part whose video ends after it starts; audio that comes late goes with the next part', () => {
    const cutter = new PartCutter(TRACKS, 0.1);
    const v = (n: number, at: number) =>
      Array.from({ length: n }, (_, i) => sample(25_000, at + i === 0, `v${at + i}`));
    const a = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => sample(1200, true, `a${from + i}`));
    // Audio frames of 25 ms (1,200 at 48 kHz): the first fragment has four frames of video and two of audio.
    cutter.push(
      writeFragment(1, [
        { trackId: 1, decodeTime: 0, samples: v(4, 0) },
        { trackId: 2, decodeTime: 0, samples: a(0, 2) },
      ]),
    );
    cutter.push(writeFragment(2, [{ trackId: 1, decodeTime: 100_000, samples: v(3, 4) }]));
    const names = (p: Buffer) => readSamples(p, TRACKS).map((r) => r.samples.map((s) => s.data.toString()));
    // The first part is full (4 frames of 25 ms in 0.1 s): it goes with the audio that has come.
    const [p1] = cutter.take();
    expect(names(p1.data)).toEqual([
      ['v0', 'v1', 'v2', 'v3'],
      ['a0', 'a1'],
    ]);
    // Audio from 50 ms on comes after the first part was cut.
    cutter.push(writeFragment(3, [{ trackId: 2, decodeTime: 2400, samples: a(2, 4) }]));
    cutter.push(writeFragment(4, [{ trackId: 1, decodeTime: 175_000, samples: v(1, 7) }]));
    const [p2] = cutter.take();
    expect(names(p2.data)).toEqual([
      ['v4', 'v5', 'v6', 'v7'],
      ['a2', 'a3', 'a4', 'a5'],
    ]);
    expect(readSamples(p2.data, TRACKS)[1].decodeTime).toBe(2400);
    // Audio after the last frame, when the stream ends: a last part of its own, as long as it.
    cutter.push(writeFragment(5, [{ trackId: 2, decodeTime: 7200, samples: a(6, 2) }]));
    expect(cutter.take()).toEqual([]);
    const last = cutter.take(true);
    expect(last.map((p) => [names(p.data), p.duration])).toEqual([[[['a6', 'a7']], 0.05]]);
  });

  it('ends the part in the making at a gap (a lost fragment): every sample keeps its decode time', () => {
    const cutter = new PartCutter(TRACKS, 0.2);
    const video = frames(20, 30, 60);
    const frags = fragments(video, new Set(Array.from({ length: 20 }, (_, i) => i)));
    // Frames 0–3, then (frame 4 lost) 5–19.
    for (const f of [...frags.slice(0, 4), ...frags.slice(5)]) cutter.push(f);
    const parts = [...cutter.take(), ...cutter.take(true)].map((p) => readSamples(p.data, TRACKS));
    const videoOf = (runs: ReturnType<typeof readSamples>) => runs.find((r) => r.trackId === 1)!;
    expect(
      parts.map((p) =>
        videoOf(p)
          .samples.map((s) => s.data.toString())
          .join(),
      ),
    ).toEqual(['v0,v1,v2,v3', 'v5,v6,v7,v8,v9,v10', 'v11,v12,v13,v14,v15,v16', 'v17,v18,v19']);
    expect(videoOf(parts[1]).decodeTime).toBe(video[5].dts);
    // The audio of the lost fragment is missing too, and the audio after it starts where it was decoded.
    const audioOf = (runs: ReturnType<typeof readSamples>) => runs.find((r) => r.trackId === 2);
    expect(audioOf(parts[1])!.decodeTime).toBe(readSamples(frags[5], TRACKS)[1].decodeTime);
  });

  it('refuses what it cannot cut: no video track, a fragment it cannot read', () => {
    expect(() => new PartCutter([AUDIO], 0.2)).toThrow(FragmentError);
    const cutter = new PartCutter(TRACKS, 0.2);
    const other = writeFragment(1, [{ trackId: 7, decodeTime: 0, samples: [sample(1, true, 'x')] }]);
    expect(() => cutter.push(other)).toThrow(/unknown track 7/);
    const truncated = fragments(frames(12, 30, 60), new Set([6]))[0];
    expect(() => cutter.push(truncated.subarray(0, truncated.length - 3))).toThrow(/outside the fragment/);
  });
});
