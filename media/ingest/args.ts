/**
 * The ffmpeg commands of RTMP/SRT ingest, as pure functions of typed options
 * (tested as data, like media/hls/ladder.ts): the runner spawns exactly what
 * these return.
 */

/** Where an RTP stream goes: a mediasoup PlainTransport's RTP and RTCP ports. */
export interface RtpDestination {
  host: string;
  port: number;
  rtcpPort: number;
}

/** H.264 as WebRTC viewers need it when the source cannot pass through (B-frames). */
export interface ReencodeOptions {
  /** x264 preset; `veryfast` keeps a 720p30 re-encode well under a core. */
  preset: string;
  /** Target video bitrate, bit/s. */
  bitrate: number;
  /** Keyframe interval in frames (a keyframe every second or two lets WebRTC viewers join fast). */
  gopFrames: number;
}

export interface FeederOptions {
  video: {
    /** `copy`: the encoder's H.264 passes through; `reencode`: x264 without B-frames. */
    mode: 'copy' | 'reencode';
    rtp: RtpDestination;
    payloadType: number;
    ssrc: number;
    reencode?: ReencodeOptions;
  };
  /** AAC in, Opus out; absent when the encoder sends no audio. */
  audio?: {
    rtp: RtpDestination;
    payloadType: number;
    ssrc: number;
    /** Opus bitrate, bit/s. */
    bitrate: number;
  };
}

/** RTP packets stay under any path MTU once SRTP and the UDP/IP headers are added. */
export const RTP_PACKET_SIZE = 1200;

/** The output arguments that send one track as RTP with the room's payload type and SSRC. */
const rtpOutput = (t: { rtp: RtpDestination; payloadType: number; ssrc: number }): string[] => {
  const host = t.rtp.host.includes(':') ? `[${t.rtp.host}]` : t.rtp.host;
  return [
    '-f',
    'rtp',
    '-payload_type',
    String(t.payloadType),
    '-ssrc',
    String(t.ssrc),
    `rtp://${host}:${t.rtp.port}?rtcpport=${t.rtp.rtcpPort}&pkt_size=${RTP_PACKET_SIZE}`,
  ];
};

/**
 * The feeder: FLV on stdin (the encoder's tags, as the ingest received them)
 * → RTP to the stream's SFU room. Video is copied (the AVCC frames become
 * Annex B with SPS/PPS before every keyframe, which WebRTC decoders need in
 * band) or re-encoded without B-frames; AAC becomes Opus. The sequence
 * headers come first, so probing is short; what it reads is kept (`-fflags
 * nobuffer` would drop the first keyframe).
 */
export function feederArgs(o: FeederOptions): string[] {
  const argv = [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-flags',
    'low_delay',
    '-probesize',
    '65536',
    '-analyzeduration',
    '0',
    '-f',
    'flv',
    '-i',
    'pipe:0',
    '-map',
    '0:v:0',
  ];
  if (o.video.mode === 'copy') {
    argv.push('-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb');
  } else {
    const r = o.video.reencode;
    if (!r) throw new Error('reencode options are required to re-encode');
    argv.push(
      '-c:v',
      'libx264',
      '-preset',
      r.preset,
      '-tune',
      'zerolatency',
      '-profile:v',
      'baseline',
      '-pix_fmt',
      'yuv420p',
      '-bf',
      '0',
      '-g',
      String(r.gopFrames),
      '-b:v',
      String(r.bitrate),
      '-maxrate',
      String(Math.round(r.bitrate * 1.2)),
      '-bufsize',
      String(r.bitrate),
    );
  }
  argv.push(...rtpOutput(o.video));
  if (o.audio) {
    argv.push(
      '-map',
      '0:a:0',
      '-c:a',
      'libopus',
      '-b:a',
      String(o.audio.bitrate),
      '-ar',
      '48000',
      '-ac',
      '2',
      '-frame_duration',
      '20',
      ...rtpOutput(o.audio),
    );
  }
  return argv;
}

/**
 * SRT delivers MPEG-TS; the ingest reads FLV tags. ffmpeg remuxes without
 * touching the media (H.264 Annex B → AVCC, ADTS → raw AAC), the video to
 * stdout and the audio (if any) to fd 3, each packet as it comes. Two
 * single-stream outputs, because one FLV would interleave by timestamp, and
 * encoders pack several AAC frames into one PES (ffmpeg's mpegts muxer:
 * ~170 ms at 128 kbit/s): the video would wait for the audio that long. A
 * codec FLV cannot carry (HEVC) makes it fail, and the caller reads which
 * codec from its stderr.
 */
export function srtRemuxArgs(): string[] {
  const flvOut = ['-c', 'copy', '-f', 'flv', '-flvflags', 'no_duration_filesize', '-flush_packets', '1'];
  return [
    '-hide_banner',
    '-loglevel',
    'info',
    '-nostats',
    '-flags',
    'low_delay',
    '-probesize',
    '500000',
    '-analyzeduration',
    '1000000',
    '-f',
    'mpegts',
    '-i',
    'pipe:0',
    '-map',
    '0:v:0',
    ...flvOut,
    'pipe:1',
    '-map',
    '0:a:0?',
    ...flvOut,
    'pipe:3',
  ];
}

/** The codec names of the input streams ffmpeg printed (`Stream #0:0[0x100]: Video: hevc (Main) …`). */
export function inputCodecsFromStderr(lines: readonly string[]): { video?: string; audio?: string } {
  const found: { video?: string; audio?: string } = {};
  for (const line of lines) {
    const m = /Stream #0:\d+\S*: (Video|Audio): ([A-Za-z0-9_]+)/.exec(line);
    if (!m) continue;
    const kind = m[1] === 'Video' ? 'video' : 'audio';
    found[kind] ??= m[2].toLowerCase();
  }
  return found;
}
