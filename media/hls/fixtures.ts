/** Test fixtures shared by the HLS specs. */
import { LlHlsPlaylist, type MasterVariant } from './playlist';
import type { HlsStorage } from './storage';

/** A 16:9, 30 fps H.264 + AAC variant of the master playlist. */
export function variant(
  name: string,
  height: number,
  bandwidth: number,
  codecs = 'avc1.4d401f,mp4a.40.2',
): MasterVariant {
  return { name, width: Math.round((height * 16) / 9), height, bandwidth, codecs, fps: 30 };
}

/** How a test show's parts are timed (see liveShow). */
export interface ShowTiming {
  partSeconds: number;
  partsPerSegment: number;
  /** Parts from one keyframe to the next (`INDEPENDENT`); unset: every part starts with one. */
  keyframeParts?: number;
  /** Segments close at keyframes, as an encoder's copied rung's do (startRun's `keyframeSegments`). */
  keyframeSegments?: boolean;
  /** Capture time of the first part (ms since epoch). */
  start: number;
}

/** 0.5 s parts, four a segment, from 2026-01-01. */
export const SHOW_TIMING: ShowTiming = { partSeconds: 0.5, partsPerSegment: 4, start: Date.UTC(2026, 0, 1) };

/** Appends parts `from` to `from + count - 1` of run 1 (`r1/p<n>.m4s`), each hinting the next, as the transcoder does. */
export function addParts(pl: LlHlsPlaylist, from: number, count: number, t: ShowTiming = SHOW_TIMING): void {
  for (let n = from; n < from + count; n++)
    pl.addPart(
      {
        uri: `r1/p${n}.m4s`,
        duration: t.partSeconds,
        pdt: t.start + n * t.partSeconds * 1000,
        ...(t.keyframeParts !== undefined && { independent: n % t.keyframeParts === 0 }),
      },
      `r1/p${n + 1}.m4s`,
    );
}

/** A live show's media playlist: its first run, `parts` parts long. */
export function liveShow(parts: number, timing: Partial<ShowTiming> = {}): LlHlsPlaylist {
  const t = { ...SHOW_TIMING, ...timing };
  const pl = LlHlsPlaylist.create({ partTarget: t.partSeconds, partsPerSegment: t.partsPerSegment });
  pl.startRun('r1/init.mp4', { keyframeSegments: t.keyframeSegments });
  addParts(pl, 0, parts, t);
  return pl;
}

/** A store in memory that counts its reads, and whose reads can be held until `hold` settles. */
export class MemoryStorage implements HlsStorage {
  readonly files = new Map<string, Buffer>();
  reads = 0;
  hold?: Promise<void>;

  async write(key: string, data: Buffer | string): Promise<void> {
    this.files.set(key, Buffer.from(data));
  }
  async read(key: string): Promise<Buffer | undefined> {
    this.reads++;
    const data = this.files.get(key);
    await this.hold;
    return data;
  }
  async listStreams() {
    return [];
  }
  async removeStream(): Promise<void> {}
}
