import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { ffmpegExecutable } from '../hls/runner';
import { StreamNotLiveError } from '../sfu/errors';
import type { ContainerSession, ContainerSource } from '../sfu/plain-output';
import type { PlainPublisher, PlainPublishSpec } from '../sfu/stream-room';
import { feederArgs, type FeederOptions } from './args';
import { ContainerOutput, type GopSnapshot } from './container-output';
import {
  audioTagInfo,
  flvHeader,
  flvTagBytes,
  FLV_AUDIO,
  FLV_VIDEO,
  parseAacConfig,
  parseAvcConfig,
  videoTagInfo,
  type AacConfig,
  type AvcConfig,
  type FlvTag,
} from './flv';
import { IngestRefusal, type EncoderLink, type IngestProtocol, type TagSink } from './types';

/** What to do with an encoder that sends B-frames, which WebRTC cannot carry. */
export type BframesPolicy = 'reencode' | 'refuse';

/** The one-line fix shown to a streamer whose encoder sends B-frames. */
export const BFRAMES_FIX = 'Set Max B-frames to 0 in OBS (x264: add bframes=0 to the x264 options).';

/**
 * The profile WebRTC viewers are told the video has. Browsers' SDP offers
 * list Constrained Baseline (and some Main) but not High, which is what OBS's
 * x264 sends, while every browser decoder reads the real profile from the
 * SPS sent in band. So the SFU announces Constrained Baseline whatever the
 * source (as MediaMTX and OvenMediaEngine do); HLS's CODECS carry the truth.
 */
export const ANNOUNCED_PROFILE_LEVEL_ID = '42e01f';

/** What a connected encoder sends, once analysed. */
export interface FeedInfo {
  protocol: IngestProtocol;
  remote: string;
  connectedAt: number;
  video: {
    codec: 'h264';
    /** "High 4.0" */
    profile: string;
    /** The SPS's own profile-level-id (HLS CODECS). */
    profileLevelId: string;
    width: number;
    height: number;
    /** From the SPS timing info, if the encoder wrote it. */
    fps?: number;
  };
  audio?: { codec: 'aac'; sampleRate: number; channels: number; codecs: string };
  /** Frames arrive out of presentation order (B-frames). */
  bFrames: boolean;
  /** What WebRTC viewers get: the encoder's H.264 itself, or a re-encode without B-frames. */
  webrtcVideo: 'passthrough' | 'reencoded';
  /** Why the WebRTC video is re-encoded. */
  reencodeReason?: 'b_frames' | 'pixel_format';
}

export interface FeedStats {
  /** Bit/s of the encoder's media over the last few seconds. */
  bitrate: number;
  /** Video frames per second over the last few seconds. */
  fps: number;
  frames: number;
  /** Video frames the ingest dropped because the feeder fell behind. */
  droppedFrames: number;
  /** Seconds between the last two keyframes. */
  keyframeInterval?: number;
}

export interface IngestFeedEvents {
  /** An encoder's media is analysed and on its way to the SFU (first connection and each reconnection). */
  ready: [info: FeedInfo];
  /** The encoder was refused for what it sends (codec, B-frames by policy). */
  refused: [refusal: IngestRefusal];
  /**
   * The connected encoder went away (or was closed); the feed waits for the
   * next one. `flowed`: its media had reached the SFU (else it never got that far).
   */
  linkEnded: [reason: string, flowed: boolean];
  /** The feed cannot go on (its ffmpeg keeps dying, or the SFU refused the publisher). */
  failed: [error: Error];
}

export interface IngestFeedOptions {
  streamId: string;
  /** Puts a plain RTP publisher for this feed in the stream's room (Sfu.publishPlain). */
  publish(spec: PlainPublishSpec, source: ContainerSource): Promise<PlainPublisher>;
  bframes: BframesPolicy;
  /** x264 preset of a re-encode. */
  reencodePreset: string;
  /** Opus bitrate for WebRTC viewers (bit/s). */
  audioBitrate?: number;
  ffmpegPath?: string;
  /** A connected encoder must have sent H.264 and a keyframe within this long (ms). */
  analyzeTimeoutMs?: number;
  log(level: 'info' | 'warn', message: string): void;
}

/** A link's frames are watched this many frames for B-frames when the SPS does not say. */
const REORDER_PROBE_FRAMES = 15;
/** An encoder whose first keyframe came without audio is taken as video-only after this long (ms). */
const AUDIO_WAIT_MS = 1500;
/** Bytes queued on the feeder's stdin beyond which video is dropped until the next keyframe. */
const MAX_FEEDER_QUEUE = 4 * 1024 * 1024;
/** The GOP cache for new transcoders: a longer GOP than this is not cached whole. */
const MAX_GOP_TAGS = 3000;
const MAX_GOP_BYTES = 32 * 1024 * 1024;
/** Restarts of the feeder (crash, SFU worker lost) allowed in a minute before the feed gives up. */
const MAX_RESTARTS_PER_MINUTE = 5;
const STATS_WINDOW_MS = 4000;
const VIDEO_PT = 102;
const AUDIO_PT = 111;

interface Link {
  link: EncoderLink;
  connectedAt: number;
  /** When its last tag arrived. */
  lastTagAt: number;
  video?: { config: AvcConfig; tag: FlvTag };
  audio?: { config: AacConfig; tag: FlvTag };
  audioSeen: boolean;
  keyframeAt?: number;
  frames: number;
  reordered: boolean;
  /** Tags from the first keyframe on, held until the media is analysed. */
  pending: FlvTag[];
  state: 'analysing' | 'starting' | 'flowing' | 'ended';
  /** Added to this connection's timestamps so the stream's timeline goes on across reconnections. */
  offset: number;
  timer?: NodeJS.Timeout;
}

interface Feeder {
  proc: ChildProcess;
  mode: 'copy' | 'reencode';
  hasAudio: boolean;
  publisher: PlainPublisher;
  stderr: string[];
  skipping: boolean;
  exited: boolean;
}

/**
 * One live stream ingested over RTMP or SRT. Encoders attach one after the
 * other (a reconnection continues the same feed); each one's tags are
 * analysed (H.264 and AAC only; B-frames), then flow on three ways:
 *
 * - to the feeder, an ffmpeg that copies the H.264 (or re-encodes it when it
 *   has B-frames) and turns AAC into Opus, as RTP into the stream's SFU room
 *   (a plain RTP publisher: WHEP viewers consume it like a WHIP publisher);
 * - into a GOP cache, so a transcoder that starts later begins at a keyframe;
 * - to the HLS transcoders reading the encoder's own media (ContainerOutput).
 *
 * The feeder outlives a reconnection (timestamps continue, WebRTC viewers
 * stay connected); transcoder outputs end with it, so HLS starts a new run
 * after a discontinuity with the encoder's new settings.
 */
export class IngestFeed extends EventEmitter<IngestFeedEvents> implements ContainerSource {
  private current?: Link;
  private feeder?: Feeder;
  private lastInfo?: FeedInfo;
  private closed = false;
  private readonly outputs = new Set<ContainerOutput>();
  private readonly readyWaiters = new Set<() => void>();
  /** Decoder configurations and the tags since the last keyframe, as sent (stream timeline). */
  private configs: { video?: FlvTag; audio?: FlvTag } = {};
  private gop: FlvTag[] = [];
  private gopBytes = 0;
  private gopKeyframeAt?: number;
  private lastOut?: { dts: number; at: number };
  private restarts: number[] = [];
  private restarting = false;
  /** [arrival ms, bytes, is a video frame] of the last few seconds. */
  private window: [number, number, boolean][] = [];
  private frames = 0;
  private droppedFrames = 0;
  private lastKeyframeDts?: number;
  private keyframeInterval?: number;

  constructor(private readonly opts: IngestFeedOptions) {
    super();
  }

  get streamId(): string {
    return this.opts.streamId;
  }

  /** An encoder is connected and its media flows. */
  get flowing(): boolean {
    return this.current?.state === 'flowing';
  }

  /** An encoder is connected (flowing or being analysed). */
  get connected(): boolean {
    return this.current !== undefined && this.current.state !== 'ended';
  }

  /** Milliseconds since the connected encoder last sent anything (0 without one). */
  get silentMs(): number {
    return this.connected && this.current ? Date.now() - this.current.lastTagAt : 0;
  }

  /** The current (or last) encoder's media. */
  get info(): FeedInfo | undefined {
    return this.lastInfo;
  }

  /** The current encoder's transport statistics (SRT). */
  transportStats(): ReturnType<NonNullable<EncoderLink['transportStats']>> | undefined {
    return this.current?.link.transportStats?.();
  }

  stats(): FeedStats {
    const now = Date.now();
    this.trimWindow(now);
    const span = Math.max(1, Math.min(STATS_WINDOW_MS, now - (this.window[0]?.[0] ?? now))) / 1000;
    let bytes = 0;
    let frames = 0;
    for (const [, b, v] of this.window) {
      bytes += b;
      if (v) frames++;
    }
    return {
      bitrate: Math.round((bytes * 8) / span),
      fps: Math.round((frames / span) * 10) / 10,
      frames: this.frames,
      droppedFrames: this.droppedFrames,
      keyframeInterval: this.keyframeInterval,
    };
  }

  private trimWindow(now: number): void {
    while (this.window.length && now - this.window[0][0] > STATS_WINDOW_MS) this.window.shift();
  }

  /** A new encoder connection for this stream. Throws when one is connected already. */
  attach(link: EncoderLink): TagSink {
    if (this.closed) throw new StreamNotLiveError(this.opts.streamId);
    if (this.connected) throw new IngestRefusal('busy', 'The stream already has a publisher');
    const l: Link = {
      link,
      connectedAt: Date.now(),
      lastTagAt: Date.now(),
      audioSeen: false,
      frames: 0,
      reordered: false,
      pending: [],
      state: 'analysing',
      offset: 0,
    };
    this.current = l;
    l.timer = setInterval(() => this.evaluate(l), 250);
    l.timer.unref();
    const deadline = Date.now() + (this.opts.analyzeTimeoutMs ?? 10_000);
    const timeout = setTimeout(() => {
      if (l.state === 'analysing' && Date.now() >= deadline) {
        this.refuse(
          l,
          new IngestRefusal(
            'no_video',
            l.video
              ? 'No keyframe arrived: set a keyframe interval of 1–2 s in the encoder'
              : 'No H.264 video arrived: livecart takes H.264 video with AAC audio',
          ),
        );
      }
    }, this.opts.analyzeTimeoutMs ?? 10_000);
    timeout.unref();
    return {
      tag: (t) => {
        if (this.current === l && l.state !== 'ended') this.onTag(l, t);
      },
      end: (reason, refusal) => {
        clearTimeout(timeout);
        if (refusal && l.state !== 'ended') {
          this.opts.log(
            'warn',
            `stream ${this.opts.streamId}: ${link.protocol} ${link.remote} refused: ${refusal.message}`,
          );
          this.emit('refused', refusal);
        }
        this.detach(l, reason);
      },
    };
  }

  private refuse(l: Link, refusal: IngestRefusal): void {
    if (l.state === 'ended') return;
    this.opts.log(
      'warn',
      `stream ${this.opts.streamId}: ${l.link.protocol} ${l.link.remote} refused: ${refusal.message}`,
    );
    this.emit('refused', refusal);
    l.link.close(`refused: ${refusal.code}`, refusal);
    this.detach(l, `refused: ${refusal.code}`);
  }

  private detach(l: Link, reason: string): void {
    if (l.state === 'ended') return;
    const wasFlowing = l.state === 'flowing' || l.state === 'starting';
    l.state = 'ended';
    clearInterval(l.timer);
    l.pending = [];
    if (this.current !== l) return;
    this.current = undefined;
    for (const o of [...this.outputs]) o.end('reconnecting');
    this.emit('linkEnded', reason, wasFlowing);
  }

  private onTag(l: Link, t: FlvTag): void {
    const now = Date.now();
    l.lastTagAt = now;
    if (t.type === FLV_VIDEO) this.onVideo(l, t, now);
    else if (t.type === FLV_AUDIO) this.onAudio(l, t, now);
  }

  private count(now: number, bytes: number, videoFrame: boolean): void {
    this.window.push([now, bytes, videoFrame]);
    if (this.window.length > 4096) this.trimWindow(now);
    if (videoFrame) this.frames++;
  }

  /** Refuses an encoder whose codec the SFU cannot carry, with the setting that fixes it. */
  private refuseCodec(l: Link, what: string, fix: string): void {
    this.refuse(l, new IngestRefusal('unsupported_codec', `${what} is not supported: ${fix}`));
  }

  private onVideo(l: Link, t: FlvTag, now: number): void {
    const info = videoTagInfo(t.body);
    if (!info) return;
    if (info.codec === 'other') {
      return this.refuseCodec(
        l,
        `${info.name} video`,
        'set the encoder to H.264 (x264, or the H.264 of a hardware encoder)',
      );
    }
    if (info.kind === 'end') return;
    if (info.kind === 'config') {
      let config: AvcConfig;
      try {
        config = parseAvcConfig(t.body.subarray(5));
      } catch (e) {
        return this.refuse(
          l,
          new IngestRefusal('bad_request', `Unreadable H.264 configuration (${(e as Error).message})`),
        );
      }
      const prior = l.video;
      l.video = { config, tag: t };
      if (l.state === 'flowing') {
        const tag = this.retime(l, t);
        this.configs.video = tag;
        this.feed(tag, false);
        for (const o of this.outputs) o.writeConfig(tag);
        if (
          prior &&
          (prior.config.sps.width !== config.sps.width || prior.config.sps.height !== config.sps.height)
        ) {
          // A transcoder planned its ladder for the old size: it starts again.
          for (const o of [...this.outputs]) o.end('resized');
          if (this.lastInfo) this.lastInfo = { ...this.lastInfo, video: this.videoInfo(config) };
        }
      }
      return;
    }
    this.count(now, t.body.length, true);
    if (!l.video) return;
    if (info.keyframe) {
      if (this.lastKeyframeDts !== undefined && t.dts > this.lastKeyframeDts) {
        this.keyframeInterval = Math.round((t.dts - this.lastKeyframeDts) / 10) / 100;
      }
      this.lastKeyframeDts = t.dts;
    }
    if (info.cts !== 0 && !l.reordered) {
      l.reordered = true;
      if (l.state === 'flowing' || l.state === 'starting') this.onReorderLate(l);
    }
    if (l.state === 'analysing' || l.state === 'starting') {
      if (!l.keyframeAt) {
        if (!info.keyframe) return;
        l.keyframeAt = now;
      }
      l.frames++;
      l.pending.push(t);
      if (l.state === 'analysing') this.evaluate(l);
      return;
    }
    if (l.state === 'flowing') this.forward(l, this.retime(l, t), info.keyframe, now);
  }

  private onAudio(l: Link, t: FlvTag, now: number): void {
    const info = audioTagInfo(t.body);
    if (!info) return;
    if (info.codec === 'other') {
      return this.refuseCodec(l, `${info.name} audio`, "set the encoder's audio to AAC");
    }
    l.audioSeen = true;
    if (info.kind === 'config') {
      // ffmpeg's FLV muxer writes an empty AAC header first when the config comes in band (SRT's
      // ADTS), and the real one once it knows it.
      if (t.body.length <= 2) return;
      try {
        l.audio = { config: parseAacConfig(t.body.subarray(2)), tag: t };
      } catch (e) {
        return this.refuse(
          l,
          new IngestRefusal('bad_request', `Unreadable AAC configuration (${(e as Error).message})`),
        );
      }
      if (l.state === 'flowing') {
        const tag = this.retime(l, t);
        this.configs.audio = tag;
        this.feed(tag, false);
        for (const o of this.outputs) o.writeConfig(tag);
      }
      return;
    }
    this.count(now, t.body.length, false);
    if (l.state === 'analysing' || l.state === 'starting') {
      if (l.keyframeAt && l.audio) l.pending.push(t);
      if (l.state === 'analysing') this.evaluate(l);
      return;
    }
    if (l.state === 'flowing' && l.audio) this.forward(l, this.retime(l, t), false, now);
  }

  /** Decides once the video, the audio and the B-frame question are known. */
  private evaluate(l: Link): void {
    if (l.state !== 'analysing' || this.current !== l || !l.video || !l.keyframeAt) return;
    const sps = l.video.config.sps;
    const reorderKnown =
      l.reordered ||
      sps.profileIdc === 66 ||
      sps.maxNumReorderFrames === 0 ||
      l.frames >= REORDER_PROBE_FRAMES;
    const audioKnown = l.audio !== undefined || Date.now() - l.keyframeAt >= AUDIO_WAIT_MS;
    if (!reorderKnown || !audioKnown) return;
    const pixelFormat = sps.chromaFormatIdc !== 1 || sps.bitDepthLuma !== 8;
    if (l.reordered && this.opts.bframes === 'refuse') {
      return this.refuse(
        l,
        new IngestRefusal('b_frames', `The encoder sends B-frames, which WebRTC cannot play. ${BFRAMES_FIX}`),
      );
    }
    l.state = 'starting';
    clearInterval(l.timer);
    void this.start(l, l.reordered ? 'b_frames' : pixelFormat ? 'pixel_format' : undefined);
  }

  private videoInfo(c: AvcConfig): FeedInfo['video'] {
    return {
      codec: 'h264',
      profile: c.profileName,
      profileLevelId: c.sps.profileLevelId,
      width: c.sps.width,
      height: c.sps.height,
      fps: c.sps.fps,
    };
  }

  /** The link's media flows: to the (new or reused) feeder, the GOP cache and the outputs. */
  private async start(l: Link, reencodeReason: FeedInfo['reencodeReason']): Promise<void> {
    const video = l.video!;
    const audio = l.audio;
    const mode = reencodeReason ? 'reencode' : 'copy';
    // The new connection's timeline continues the feed's: after the last tag sent, plus the gap.
    const firstDts = l.pending.length ? Math.min(...l.pending.map((t) => t.dts)) : video.tag.dts;
    l.offset = this.lastOut
      ? this.lastOut.dts + Math.max(1, l.keyframeAt! - this.lastOut.at) - firstDts
      : -firstDts;
    const info: FeedInfo = {
      protocol: l.link.protocol,
      remote: l.link.remote,
      connectedAt: l.connectedAt,
      video: this.videoInfo(video.config),
      audio: audio && {
        codec: 'aac',
        sampleRate: audio.config.sampleRate,
        channels: audio.config.channels,
        codecs: audio.config.codecs,
      },
      bFrames: l.reordered,
      webrtcVideo: mode === 'copy' ? 'passthrough' : 'reencoded',
      reencodeReason,
    };
    try {
      const reuse =
        this.feeder &&
        !this.feeder.exited &&
        this.feeder.mode === mode &&
        this.feeder.hasAudio === (audio !== undefined);
      if (!reuse) await this.startFeeder(info, mode);
    } catch (e) {
      if (l.state === 'ended') return;
      this.opts.log(
        'warn',
        `stream ${this.opts.streamId}: could not start the feed: ${(e as Error).message}`,
      );
      this.emit('failed', e as Error);
      this.refuse(l, new IngestRefusal('unavailable', 'The server could not take the stream; try again'));
      return;
    }
    if (l.state === 'ended' || this.current !== l) return;
    this.configs = { video: this.retime(l, video.tag), audio: audio && this.retime(l, audio.tag) };
    this.feed(this.configs.video!, false);
    if (this.configs.audio) this.feed(this.configs.audio, false);
    this.gop = [];
    this.gopBytes = 0;
    const pending = l.pending;
    l.pending = [];
    l.state = 'flowing';
    this.lastInfo = info;
    this.opts.log(
      'info',
      `stream ${this.opts.streamId}: ${l.link.protocol} ${l.link.remote} publishing ${info.video.profile} ${info.video.width}x${info.video.height}` +
        `${audio ? ` + AAC ${audio.config.sampleRate} Hz` : ', no audio'}; WebRTC video ${info.webrtcVideo}${reencodeReason ? ` (${reencodeReason})` : ''}`,
    );
    for (const t of pending) {
      const info = t.type === FLV_VIDEO ? videoTagInfo(t.body) : undefined;
      this.forward(l, this.retime(l, t), info?.codec === 'h264' && info.keyframe, l.keyframeAt!);
    }
    this.emit('ready', info);
    for (const w of [...this.readyWaiters]) w();
  }

  /** B-frames showed up after the media started flowing as passthrough: re-encode from the next keyframe. */
  private onReorderLate(l: Link): void {
    if (this.opts.bframes === 'refuse') {
      this.refuse(
        l,
        new IngestRefusal('b_frames', `The encoder sends B-frames, which WebRTC cannot play. ${BFRAMES_FIX}`),
      );
      return;
    }
    if (!this.lastInfo || this.lastInfo.webrtcVideo === 'reencoded') return;
    this.lastInfo = { ...this.lastInfo, bFrames: true, webrtcVideo: 'reencoded', reencodeReason: 'b_frames' };
    this.opts.log('info', `stream ${this.opts.streamId}: B-frames appeared; re-encoding the WebRTC video`);
    this.emit('ready', this.lastInfo);
    void this.restartFeeder('B-frames appeared');
  }

  private retime(l: Link, t: FlvTag): FlvTag {
    return { type: t.type, dts: t.dts + l.offset, body: t.body };
  }

  /** A tag of the live stream: to the feeder, the GOP cache and every transcoder. */
  private forward(_l: Link, t: FlvTag, keyframe: boolean, arrivedAt: number): void {
    this.lastOut = { dts: t.dts, at: Date.now() };
    if (t.type === FLV_VIDEO && keyframe) {
      this.gop = [];
      this.gopBytes = 0;
      this.gopKeyframeAt = arrivedAt;
    }
    if (
      this.gop.length < MAX_GOP_TAGS &&
      this.gopBytes < MAX_GOP_BYTES &&
      (this.gop.length > 0 || keyframe)
    ) {
      this.gop.push(t);
      this.gopBytes += t.body.length;
    }
    this.feed(t, keyframe);
    for (const o of this.outputs) o.write(t, keyframe);
  }

  /** Writes to the feeder; a feeder that falls behind loses video until the next keyframe. */
  private feed(t: FlvTag, keyframe: boolean): void {
    const f = this.feeder;
    const stdin = f?.proc.stdin;
    if (!f || f.exited || !stdin || stdin.destroyed) return;
    if (t.type === FLV_VIDEO) {
      const queued = stdin.writableLength;
      if (keyframe && queued < MAX_FEEDER_QUEUE / 4) f.skipping = false;
      else if (queued > MAX_FEEDER_QUEUE && !f.skipping) {
        f.skipping = true;
        this.opts.log(
          'warn',
          `stream ${this.opts.streamId}: the feeder fell behind; dropping video to the next keyframe`,
        );
      }
      if (f.skipping) {
        this.droppedFrames++;
        return;
      }
    }
    stdin.write(flvTagBytes(t));
  }

  private rtpParameters(kind: 'video' | 'audio', ssrc: number): types.RtpParameters {
    const codec: types.RtpCodecParameters =
      kind === 'video'
        ? {
            mimeType: 'video/H264',
            payloadType: VIDEO_PT,
            clockRate: 90000,
            parameters: {
              'packetization-mode': 1,
              'profile-level-id': ANNOUNCED_PROFILE_LEVEL_ID,
              'level-asymmetry-allowed': 1,
            },
            rtcpFeedback: [],
          }
        : {
            mimeType: 'audio/opus',
            payloadType: AUDIO_PT,
            clockRate: 48000,
            channels: 2,
            parameters: { 'sprop-stereo': 1 },
            rtcpFeedback: [],
          };
    return {
      codecs: [codec],
      encodings: [{ ssrc }],
      rtcp: { cname: `livecart-${this.opts.streamId.slice(0, 8)}` },
    };
  }

  /** A new plain publisher in the room and a feeder ffmpeg sending to it. */
  private async startFeeder(info: FeedInfo, mode: 'copy' | 'reencode'): Promise<void> {
    this.stopFeeder();
    const hasAudio = info.audio !== undefined;
    const ssrc = { video: randomInt(1, 2 ** 31), audio: randomInt(1, 2 ** 31) };
    const publisher = await this.opts.publish(
      {
        video: this.rtpParameters('video', ssrc.video),
        audio: hasAudio ? this.rtpParameters('audio', ssrc.audio) : undefined,
      },
      this,
    );
    if (this.closed) {
      publisher.close();
      throw new StreamNotLiveError(this.opts.streamId);
    }
    const fps = info.video.fps && info.video.fps > 0 && info.video.fps <= 120 ? info.video.fps : 30;
    const options: FeederOptions = {
      video: {
        mode,
        rtp: { host: publisher.host, port: publisher.video.port, rtcpPort: publisher.video.rtcpPort },
        payloadType: VIDEO_PT,
        ssrc: ssrc.video,
        reencode:
          mode === 'reencode'
            ? {
                preset: this.opts.reencodePreset,
                // About 0.09 bit per pixel: 2.5 Mbit/s at 720p30, within 0.5–6 Mbit/s.
                bitrate: Math.round(
                  Math.min(
                    6e6,
                    Math.max(5e5, info.video.width * info.video.height * Math.min(fps, 60) * 0.09),
                  ),
                ),
                gopFrames: Math.round(fps),
              }
            : undefined,
      },
      audio:
        hasAudio && publisher.audio
          ? {
              rtp: { host: publisher.host, port: publisher.audio.port, rtcpPort: publisher.audio.rtcpPort },
              payloadType: AUDIO_PT,
              ssrc: ssrc.audio,
              bitrate: this.opts.audioBitrate ?? 128_000,
            }
          : undefined,
    };
    const proc = spawn(ffmpegExecutable(this.opts.ffmpegPath), feederArgs(options), {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const feeder: Feeder = { proc, mode, hasAudio, publisher, stderr: [], skipping: false, exited: false };
    this.feeder = feeder;
    proc.stdin?.on('error', () => undefined);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) feeder.stderr.push(line.trim());
      if (feeder.stderr.length > 20) feeder.stderr.splice(0, feeder.stderr.length - 20);
    });
    proc.on('error', (e) => this.onFeederExit(feeder, `could not run ffmpeg: ${e.message}`));
    proc.on('exit', (code, signal) => this.onFeederExit(feeder, `exited (code ${code}, signal ${signal})`));
    // The room's router closed under the publisher (its worker died): publish again in a new room.
    publisher.video.producer.observer.once('close', () => {
      setTimeout(() => {
        if (this.feeder === feeder && !this.closed) void this.restartFeeder('the SFU room closed');
      }, 250).unref();
    });
    proc.stdin?.write(flvHeader(hasAudio, true));
  }

  private onFeederExit(f: Feeder, why: string): void {
    if (f.exited) return;
    f.exited = true;
    if (this.feeder !== f || this.closed) return;
    this.opts.log(
      'warn',
      `stream ${this.opts.streamId}: feeder ffmpeg ${why}: ${f.stderr.slice(-3).join(' | ')}`,
    );
    void this.restartFeeder('the feeder stopped');
  }

  /** Starts the feeder again (same or new mode) from the newest keyframe, if an encoder is connected. */
  private async restartFeeder(why: string): Promise<void> {
    if (this.restarting || this.closed) return;
    const l = this.current;
    const info = this.lastInfo;
    this.stopFeeder();
    if (!l || l.state !== 'flowing' || !info) return;
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 60_000);
    if (this.restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      const e = new Error(`the feed restarted ${MAX_RESTARTS_PER_MINUTE} times in a minute (${why})`);
      this.emit('failed', e);
      this.refuse(
        l,
        new IngestRefusal('unavailable', 'The server could not keep the stream going; try again'),
      );
      return;
    }
    this.restarts.push(now);
    this.restarting = true;
    this.opts.log('info', `stream ${this.opts.streamId}: restarting the feed (${why})`);
    try {
      await this.startFeeder(info, info.webrtcVideo === 'reencoded' ? 'reencode' : 'copy');
      for (const t of [this.configs.video, this.configs.audio]) if (t) this.feed(t, false);
      this.gop.forEach((t, i) => this.feed(t, i === 0));
    } catch (e) {
      if (!this.closed) {
        this.emit('failed', e as Error);
        this.refuse(
          l,
          new IngestRefusal('unavailable', 'The server could not keep the stream going; try again'),
        );
      }
    } finally {
      this.restarting = false;
    }
  }

  private stopFeeder(): void {
    const f = this.feeder;
    if (!f) return;
    this.feeder = undefined;
    f.exited = true;
    f.proc.stdin?.destroy();
    f.proc.kill('SIGKILL');
    f.publisher.close();
  }

  private snapshot(): GopSnapshot {
    return {
      configs: [this.configs.video, this.configs.audio].filter((t): t is FlvTag => t !== undefined),
      gop: [...this.gop],
      keyframeAt: this.gopKeyframeAt,
    };
  }

  /** ContainerSource: an HLS transcoder's view of the encoder's own media. */
  async openContainer(target: { host: string; port: number }, waitMs: number): Promise<ContainerSession> {
    if (!this.flowing) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.readyWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.readyWaiters.add(done);
      });
    }
    const info = this.lastInfo;
    if (this.closed || !this.flowing || !info) throw new StreamNotLiveError(this.opts.streamId);
    const output = new ContainerOutput(
      target,
      { ...info.video },
      info.audio && { codec: 'aac', codecs: info.audio.codecs },
      () => this.snapshot(),
      (o) => this.outputs.delete(o),
    );
    this.outputs.add(output);
    return output;
  }

  /** Ends the feed: the encoder is disconnected, the feeder stopped, the publisher taken off the room. */
  close(reason: string, refusal?: IngestRefusal): void {
    if (this.closed) return;
    this.closed = true;
    const l = this.current;
    if (l) {
      l.link.close(reason, refusal);
      this.detach(l, reason);
    }
    for (const o of [...this.outputs]) o.end('closed');
    this.stopFeeder();
    for (const w of [...this.readyWaiters]) w();
  }

  /** Disconnects the current encoder (key rotated); the feed waits for the next one. */
  dropEncoder(reason: string, refusal?: IngestRefusal): void {
    const l = this.current;
    if (!l) return;
    l.link.close(reason, refusal);
    this.detach(l, reason);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
