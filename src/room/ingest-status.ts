/**
 * What the owner's studio is told about an RTMP/SRT encoder: written by the
 * ingest feature (on whichever replica the encoder reached) into the shared
 * state store, read by the streams feature for `GET /api/streams/:id`.
 * Neither feature imports the other for it (the PinReader pattern).
 */

/** `disconnected`: no encoder now (refused, gone past the grace, or the stream ended). */
export type IngestState = 'connecting' | 'live' | 'reconnecting' | 'disconnected';

export type IngestWarningCode = 'b_frames' | 'pixel_format' | 'keyframe_interval';

export interface IngestWarning {
  code: IngestWarningCode;
  /** What is wrong, for people. */
  message: string;
  /** The one-line fix in the encoder's settings. */
  fix: string;
}

export interface IngestStatus {
  state: IngestState;
  protocol: 'rtmp' | 'rtmps' | 'srt';
  /** The encoder's address (owner only, like everything here). */
  remoteAddress: string;
  connectedAt: string;
  updatedAt: string;
  video: {
    codec: 'h264';
    /** "High 4.0" */
    profile: string;
    width: number;
    height: number;
    /** From the encoder's SPS, when it wrote one. */
    fps: number | null;
  } | null;
  audio: { codec: 'aac'; sampleRate: number; channels: number } | null;
  /** The encoder sends B-frames. */
  bFrames: boolean;
  /** What WebRTC viewers get: the encoder's H.264 itself, or a re-encode (B-frames). HLS always copies. */
  webrtcVideo: 'passthrough' | 'reencoded';
  /** Of the encoder's media, over the last few seconds. */
  bitrateKbps: number;
  fps: number;
  /** Video frames the server dropped (its feeder fell behind), plus packets SRT gave up on. */
  droppedFrames: number;
  keyframeIntervalSeconds: number | null;
  /** Reconnections of the encoder within the grace period since the stream went live. */
  reconnects: number;
  warnings: IngestWarning[];
  /** The last refusal or failure (an unsupported codec, B-frames refused), for the studio to show. */
  lastError: { code: string; message: string; at: string } | null;
}

/** Reads a stream's ingest status; implemented by the ingest feature. */
export interface IngestStatusReader {
  get(streamId: string): Promise<IngestStatus | null>;
}
export const INGEST_STATUS_READER = Symbol('INGEST_STATUS_READER');
