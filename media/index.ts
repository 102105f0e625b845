/**
 * The media plane, plain TypeScript with no Nest imports: the mediasoup SFU
 * (worker pool, rooms, WHIP/WHEP sessions) and HLS (ffmpeg command builder,
 * runner, playlists). The Nest app and the workers use it only through what
 * this file exports.
 */
export { Sfu, type SfuOptions, type SfuEvents } from './sfu/sfu';
export { StreamRoom, type GoneReason, type RoomTransportOptions } from './sfu/stream-room';
export { WorkerPool, type WorkerPoolOptions } from './sfu/worker-pool';
export {
  MediaError,
  MediaUnavailableError,
  PublisherExistsError,
  SessionNotFoundError,
  StreamNotLiveError,
} from './sfu/errors';
export { SdpError, sdpErrorHttpStatus, DEFAULT_MEDIA_CODECS } from './sdp';
