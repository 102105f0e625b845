/**
 * The media plane, plain TypeScript with no Nest imports: the mediasoup SFU
 * (worker pool, rooms, WHIP/WHEP sessions) and HLS (ffmpeg command builder,
 * runner, playlists). The Nest app and the workers use it only through what
 * this file exports.
 */
export {};
