/**
 * The media plane, plain TypeScript with no Nest imports: the mediasoup SFU
 * (worker pool, rooms, WHIP/WHEP sessions), RTMP/SRT ingest (protocol
 * servers, the feed of each ingested stream) and HLS (ffmpeg command builder,
 * runner, playlists). The Nest app and the workers use it only through what
 * this file exports.
 */
export { Sfu, type SfuOptions, type SfuEvents } from './sfu/sfu';
export {
  StreamRoom,
  type GoneReason,
  type PlainPublisher,
  type PlainPublishSpec,
  type RoomTransportOptions,
} from './sfu/stream-room';
export { WorkerPool, type WorkerPoolOptions } from './sfu/worker-pool';
export { PendingSessions, type PendingLimits } from './sfu/pending-sessions';
export {
  MediaBusyError,
  MediaError,
  MediaUnavailableError,
  TooManyPendingError,
  PublisherExistsError,
  SessionNotFoundError,
  StreamNotLiveError,
} from './sfu/errors';
export { SdpError, sdpErrorHttpStatus, DEFAULT_MEDIA_CODECS } from './sdp';
export {
  PlainOutput,
  SfuPlainRtpSource,
  openRoomMedia,
  plainSdp,
  type ContainerGoneReason,
  type ContainerSession,
  type ContainerSource,
  type MediaSession,
  type PlainRtpSource,
  type PlainRtpSession,
  type PlainRtpTarget,
  type RoomMedia,
} from './sfu/plain-output';
export {
  DEFAULT_LADDER,
  buildFfmpegCommand,
  planLadder,
  toArgv,
  type FfmpegCommand,
  type PlannedRendition,
  type RenditionSpec,
  type SourceInfo,
} from './hls/ladder';
export {
  deltaUpdate,
  FIRST_MSN,
  LlHlsPlaylist,
  partMayAppear,
  readPlaylist,
  renderMaster,
  satisfies,
  type PlaylistState,
  type PlaylistSummary,
  type RenditionReport,
} from './hls/playlist';
export { LocalHlsStorage, type HlsStorage } from './hls/storage';
export { startFfmpeg, warmUpFfmpeg, type FfmpegProcess, type FfmpegProgress } from './hls/runner';
export {
  finalizeHls,
  runTranscode,
  TranscodeFailedError,
  type TranscodeOptions,
  type TranscodeProgress,
} from './hls/transcoder';
export {
  IMAGE_TYPES,
  ImageDecodeError,
  isImageType,
  jpegSize,
  resizeArgs,
  resizeImage,
  type ImageType,
} from './images/resize';
export { RtmpIngestServer, type RtmpServerOptions } from './ingest/rtmp-server';
export { SrtIngestServer, parseSrtStreamId, type SrtServerOptions } from './ingest/srt-server';
export {
  IngestFeed,
  BFRAMES_FIX,
  type BframesPolicy,
  type FeedInfo,
  type FeedStats,
  type IngestFeedOptions,
} from './ingest/feed';
export {
  IngestRefusal,
  type EncoderLink,
  type IngestProtocol,
  type PublishHandler,
  type PublishRequest,
  type RefusalCode,
  type TagSink,
} from './ingest/types';
