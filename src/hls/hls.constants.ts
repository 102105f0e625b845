import type { TranscodeProgress } from '../../media';

export const HLS_QUEUE = 'hls';
/** One live transcode per stream: the job id dedupes repeated "live" events (BullMQ 5 refuses ":" in custom ids). */
export const hlsJobId = (streamId: string) => `hls-${streamId}`;
export const HLS_STORAGE = Symbol('HLS_STORAGE');
/**
 * Where the HLS store announces each new playlist and part (`{ key }`), so
 * requests held for one are answered at once instead of at their next poll.
 */
export const HLS_WRITES_CHANNEL = 'hls:writes';
export interface HlsWrite {
  key: string;
}
/** A reader of the HLS store that acts on its announced writes (see AnnouncedWrites). */
export interface WriteFollower {
  /** `key` was just written. */
  written(key: string): void;
}

export type HlsJob = { kind: 'transcode'; streamId: string } | { kind: 'cleanup' };

/** What `GET /api/streams/:id/hls` shows, kept in the shared state store by the worker. */
export interface HlsStatus extends Partial<Omit<TranscodeProgress, 'state'>> {
  streamId: string;
  state: 'queued' | 'probing' | 'live' | 'ended' | 'failed';
  error?: string;
  updatedAt: string;
}

export const hlsStatusKey = (streamId: string) => `hls:status:${streamId}`;
/** Status entries outlive the stream by a day (the replay page reads them). */
export const HLS_STATUS_TTL_MS = 24 * 3600 * 1000;
