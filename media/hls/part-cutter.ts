import { totalDuration } from './durations';
import {
  FragmentError,
  type InitTrack,
  isSyncSample,
  readSamples,
  type Sample,
  type TrackSamples,
  writeFragment,
} from './fmp4';

/** A part the cutter completed: one fragment, its video's length in seconds, and its number (from 0). */
export interface CutPart {
  data: Buffer;
  duration: number;
  index: number;
}

interface Queue {
  track: InitTrack;
  /** Decode time of `samples[0]`, or where the next sample starts once they are taken. */
  decodeTime?: number;
  samples: Sample[];
}

/** Where the samples queued in `q` end on its track's timeline. */
const queuedEnd = (q: Queue): number => (q.decodeTime ?? 0) + totalDuration(q.samples);

/**
 * Cuts a copied rendition's LL-HLS parts from ffmpeg's fragments, sample by
 * sample. ffmpeg's HLS muxer cuts by presentation time in decode order: with
 * B-frames (OBS's x264 default) a frame shown later comes earlier, the cut
 * lands up to two frames early or late, and parts ran 0.133–0.267 s under a
 * PART-TARGET of 0.2. Here ffmpeg writes a fragment at every frame it can cut
 * at (each group of a reference frame and its B-frames), and the cutter
 * makes each part of whole frames in decode order:
 *
 * - as many as fit in `maxPart` seconds (the rendition's PART-TARGET), so
 *   no part is longer than the playlist says;
 * - and a keyframe always starts a part, so parts are independent where the
 *   encoder put keyframes, whatever its keyframe interval.
 *
 * Each part carries the audio whose decode time starts before the part's
 * video ends and that has arrived; audio that comes later goes with the
 * next part. A part is complete once no further frame fits (see `frames`),
 * or the stream ends (`take(true)`).
 */
export class PartCutter {
  private readonly queues: Queue[];
  private readonly video: Queue;
  /** PART-TARGET in the video track's timescale. */
  private readonly maxPart: number;
  /** Parts cut so far (each fragment's `mfhd` sequence number is its index + 1). */
  private cutCount = 0;
  /** Parts ended by a gap (see push), not yet taken. */
  private readonly ready: CutPart[] = [];

  constructor(tracks: readonly InitTrack[], maxPart: number) {
    const video = tracks.find((t) => t.video);
    if (!video) throw new FragmentError('the init segment has no video track');
    if (!(maxPart > 0)) throw new RangeError(`maxPart must be positive, got ${maxPart}`);
    this.maxPart = Math.round(maxPart * video.timescale);
    // The video first, then the others as the init segment lists them.
    this.queues = [video, ...tracks.filter((t) => t !== video)].map((track) => ({ track, samples: [] }));
    this.video = this.queues[0];
  }

  /**
   * Takes in one of ffmpeg's fragments (throws FragmentError if it cannot be
   * read). One that does not follow on from what is queued (a fragment was
   * lost in between) ends the part in the making first: samples keep their
   * own decode times, so the tracks stay in sync after a gap.
   */
  push(fragment: Buffer): void {
    const runs = readSamples(
      fragment,
      this.queues.map((q) => q.track),
    );
    const queue = (trackId: number) => this.queues.find((x) => x.track.trackId === trackId)!;
    if (runs.some((r) => queue(r.trackId).samples.length > 0 && r.decodeTime !== queuedEnd(queue(r.trackId))))
      this.ready.push(...this.take(true));
    for (const run of runs) {
      const q = queue(run.trackId);
      if (q.samples.length === 0) q.decodeTime = run.decodeTime;
      q.samples.push(...run.samples);
    }
  }

  /** The parts complete so far; `end`: the stream ended, so what is left is the last part. */
  take(end = false): CutPart[] {
    const out = this.ready.splice(0);
    for (;;) {
      const frames = this.frames(end);
      if (frames === 0) break;
      out.push(this.cut(frames, end && frames === this.video.samples.length));
    }
    // Audio that came after the last frame: a last part of its own.
    if (end && this.queues.some((q) => q.samples.length > 0)) out.push(this.cut(0, true));
    return out;
  }

  /**
   * How many video samples the next part takes; 0 while it is not complete:
   * it is once the frame after it has come, or once no frame as short as its
   * shortest would fit in it (a full part goes out without waiting a frame).
   */
  private frames(end: boolean): number {
    const v = this.video.samples;
    let length = 0;
    let shortest = Infinity;
    for (let i = 0; i < v.length; i++) {
      if (i > 0 && isSyncSample(v[i].flags)) return i;
      length += v[i].duration;
      if (length > this.maxPart) return Math.max(1, i);
      shortest = Math.min(shortest, v[i].duration);
      if (this.maxPart - length < shortest) return i + 1;
    }
    return end ? v.length : 0;
  }

  private cut(frames: number, last: boolean): CutPart {
    const v = this.video;
    const runs: TrackSamples[] = [];
    const videoStart = v.decodeTime ?? 0;
    const videoSamples = v.samples.splice(0, frames);
    const videoDuration = totalDuration(videoSamples);
    v.decodeTime = videoStart + videoDuration;
    runs.push({ trackId: v.track.trackId, decodeTime: videoStart, samples: videoSamples });
    const videoEnd = v.decodeTime / v.track.timescale;
    // A part of audio alone (the stream's last) lasts its audio.
    let otherDuration = 0;
    for (const q of this.queues) {
      if (q === v || q.samples.length === 0) continue;
      let n = 0;
      let at = q.decodeTime!;
      if (last) n = q.samples.length;
      else
        while (n < q.samples.length && at / q.track.timescale < videoEnd) {
          at += q.samples[n].duration;
          n++;
        }
      if (n === 0) continue;
      const start = q.decodeTime!;
      const samples = q.samples.splice(0, n);
      q.decodeTime = start + totalDuration(samples);
      otherDuration = Math.max(otherDuration, (q.decodeTime - start) / q.track.timescale);
      runs.push({ trackId: q.track.trackId, decodeTime: start, samples });
    }
    const index = this.cutCount++;
    return {
      data: writeFragment(index + 1, runs),
      duration: videoDuration > 0 ? videoDuration / v.track.timescale : otherDuration,
      index,
    };
  }
}
