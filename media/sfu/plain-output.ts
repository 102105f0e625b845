import type { types } from 'mediasoup';
import { StreamNotLiveError } from './errors';

/**
 * Where a transcoder listens for plain RTP: its reachable host and one RTP/RTCP port pair per kind;
 * and, for a stream ingested over RTMP/SRT, a TCP port where it reads the encoder's own media.
 */
export interface PlainRtpTarget {
  host: string;
  video: { rtp: number; rtcp: number };
  audio?: { rtp: number; rtcp: number };
  /** TCP port a transcoder listens on for a ContainerSession (FLV). */
  stream?: number;
}

/** Plain RTP flowing from a stream's room to a transcoder, described by an SDP ffmpeg can read. */
export interface PlainRtpSession {
  readonly kind?: 'rtp';
  /** `-protocol_whitelist file,udp,rtp -i stream.sdp` */
  readonly sdp: string;
  /** Lower-case codec of the video (`h264`, `vp8`) and, for H.264, its profile-level-id. */
  readonly video: { codec: string; profileLevelId?: string };
  readonly hasAudio: boolean;
  /** Resumes the (paused) consumers and asks the publisher for a keyframe: call once ffmpeg listens. */
  start(): Promise<void>;
  requestKeyFrame(): Promise<void>;
  /** Resolves when the source goes away (the room closed, the publisher left). */
  readonly gone: Promise<void>;
  close(): Promise<void>;
}

/** Why a ContainerSession ended: the encoder dropped and may reconnect, its picture size changed, or the stream ended. */
export type ContainerGoneReason = 'reconnecting' | 'resized' | 'closed';

/**
 * An RTMP/SRT encoder's own media for a transcoder: its H.264 and AAC,
 * untouched, as FLV over TCP. HLS copies the video as its top rendition and
 * keeps the AAC, which plain RTP (Opus, B-frames lost) could not give it.
 */
export interface ContainerSession {
  readonly kind: 'flv';
  readonly video: { codec: 'h264'; width: number; height: number; profileLevelId: string; fps?: number };
  /** Absent when the encoder sends no audio. `codecs` is RFC 6381 (`mp4a.40.2`). */
  readonly audio?: { codec: 'aac'; codecs: string };
  /**
   * Connects to the transcoder (listening on the target's host and `stream`
   * port) and sends from the newest keyframe on. Resolves with the time that
   * keyframe arrived (ms since epoch): media time 0 of the transcode.
   */
  start(): Promise<number | undefined>;
  /** Resolves when the media stops (see goneReason). */
  readonly gone: Promise<void>;
  goneReason(): ContainerGoneReason | undefined;
  close(): Promise<void>;
}

/** What a transcoder reads: plain RTP of a WHIP publisher, or an ingested encoder's own media. */
export type MediaSession = PlainRtpSession | ContainerSession;

/** A room whose publisher is an RTMP/SRT ingest offers its media this way (see media/ingest/feed.ts). */
export interface ContainerSource {
  /** Waits up to `waitMs` for media (an encoder reconnecting), else throws StreamNotLiveError. */
  openContainer(target: { host: string; port: number }, waitMs: number): Promise<ContainerSession>;
}

/**
 * Gives a transcoder the media of one live stream. In the embedded default
 * the SFU is in the worker's process (`SfuPlainRtpSource`); with workers on
 * other machines a request/reply over PubSub reaches the replica that holds
 * the room, which runs the same code and sends RTP (or FLV) to `target.host`.
 */
export interface PlainRtpSource {
  /** `waitMs`: how long an ingest source may wait for its encoder to come back. */
  open(streamId: string, target: PlainRtpTarget, waitMs?: number): Promise<MediaSession>;
}

/** The codecs ffmpeg 5.1 depacketizes from RTP; VP9 and AV1 publishers cannot be transcoded. */
const DEPACKETIZABLE = new Set(['video/h264', 'video/vp8', 'audio/opus']);

/** What of a room a plain output needs: StreamRoom's public getters. */
export interface RoomMedia {
  readonly router: types.Router;
  readonly producers: types.Producer[];
  /** Set while an RTMP/SRT ingest publishes: transcoders read the encoder's own media from it. */
  readonly ingestSource?: ContainerSource;
}

/**
 * A transcoder's session on a room: the ingest's own media when the room has
 * an RTMP/SRT publisher and the transcoder offered a TCP port, plain RTP otherwise.
 */
export async function openRoomMedia(
  streamId: string,
  room: RoomMedia,
  target: PlainRtpTarget,
  listenIp: string,
  waitMs = 0,
): Promise<MediaSession> {
  if (room.ingestSource && target.stream) {
    return room.ingestSource.openContainer({ host: target.host, port: target.stream }, waitMs);
  }
  return PlainOutput.create(streamId, room, target, listenIp);
}

/**
 * Plain RTP out of a room: one PlainTransport per kind (RTCP on its own
 * port, `comedia` off: mediasoup is told the transcoder's ports with
 * `connect`) and one paused consumer each, restricted to codecs ffmpeg can
 * read and without RTX (ffmpeg sends no NACKs).
 */
export class PlainOutput implements PlainRtpSession {
  private closed = false;
  private resolveGone!: () => void;
  readonly gone = new Promise<void>((r) => (this.resolveGone = r));

  private constructor(
    private readonly transports: types.PlainTransport[],
    private readonly consumers: types.Consumer[],
    readonly sdp: string,
    readonly video: { codec: string; profileLevelId?: string },
    readonly hasAudio: boolean,
  ) {
    for (const t of transports) t.observer.once('close', () => this.resolveGone());
    for (const c of consumers) c.observer.once('close', () => this.resolveGone());
  }

  static async create(
    streamId: string,
    room: RoomMedia,
    target: PlainRtpTarget,
    listenIp: string,
  ): Promise<PlainOutput> {
    const videoProducer = room.producers.find((p) => p.kind === 'video' && !p.closed);
    if (!videoProducer) throw new StreamNotLiveError(streamId);
    const audioProducer = target.audio
      ? room.producers.find((p) => p.kind === 'audio' && !p.closed)
      : undefined;
    const caps: types.RtpCapabilities = {
      codecs: (room.router.rtpCapabilities.codecs ?? []).filter((c) =>
        DEPACKETIZABLE.has(c.mimeType.toLowerCase()),
      ),
      headerExtensions: [],
    };
    const transports: types.PlainTransport[] = [];
    const consumers: types.Consumer[] = [];
    try {
      const media: { kind: 'audio' | 'video'; consumer: types.Consumer; port: number; rtcp: number }[] = [];
      for (const [producer, ports] of [
        [audioProducer, target.audio],
        [videoProducer, target.video],
      ] as const) {
        if (!producer || !ports) continue;
        const transport = await room.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: listenIp },
          rtcpMux: false,
          comedia: false,
        });
        transports.push(transport);
        await transport.connect({ ip: target.host, port: ports.rtp, rtcpPort: ports.rtcp });
        if (!room.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
          throw new StreamNotLiveError(streamId);
        }
        const consumer = await transport.consume({
          producerId: producer.id,
          rtpCapabilities: caps,
          paused: true,
        });
        consumers.push(consumer);
        media.push({ kind: producer.kind, consumer, port: ports.rtp, rtcp: ports.rtcp });
      }
      const source = transports[0].tuple.localAddress ?? listenIp;
      const videoCodec = media.find((m) => m.kind === 'video')!.consumer.rtpParameters.codecs[0];
      return new PlainOutput(
        transports,
        consumers,
        plainSdp(source, media),
        {
          codec: videoCodec.mimeType.split('/')[1].toLowerCase(),
          profileLevelId: videoCodec.parameters?.['profile-level-id'] as string | undefined,
        },
        media.some((m) => m.kind === 'audio'),
      );
    } catch (e) {
      for (const t of transports) t.close();
      throw e;
    }
  }

  async start(): Promise<void> {
    for (const c of this.consumers) if (!c.closed) await c.resume();
    await this.requestKeyFrame();
  }

  async requestKeyFrame(): Promise<void> {
    for (const c of this.consumers) if (c.kind === 'video' && !c.closed) await c.requestKeyFrame();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.transports) t.close();
    this.resolveGone();
  }
}

/** The SDP ffmpeg reads: one `m=` per consumer, its payload type, clock rate and fmtp. */
export function plainSdp(
  sourceIp: string,
  media: {
    kind: 'audio' | 'video';
    consumer: Pick<types.Consumer, 'rtpParameters'>;
    port: number;
    rtcp: number;
  }[],
): string {
  const ipv = sourceIp.includes(':') ? 'IP6' : 'IP4';
  const lines = ['v=0', `o=- 0 0 IN ${ipv} ${sourceIp}`, 's=livecart', `c=IN ${ipv} ${sourceIp}`, 't=0 0'];
  for (const m of media) {
    const codec = m.consumer.rtpParameters.codecs[0];
    const name = codec.mimeType.split('/')[1];
    const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
    lines.push(
      `m=${m.kind} ${m.port} RTP/AVP ${codec.payloadType}`,
      `a=rtcp:${m.rtcp}`,
      `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    );
    const fmtp = Object.entries(codec.parameters ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(';');
    if (fmtp) lines.push(`a=fmtp:${codec.payloadType} ${fmtp}`);
    lines.push('a=recvonly');
  }
  return lines.join('\r\n') + '\r\n';
}

/** The in-process source: the SFU runs in this process (the embedded default, or the replica answering a worker). */
export class SfuPlainRtpSource implements PlainRtpSource {
  constructor(
    private readonly rooms: { room(streamId: string): RoomMedia | undefined },
    private readonly listenIp: string,
  ) {}

  async open(streamId: string, target: PlainRtpTarget, waitMs = 0): Promise<MediaSession> {
    const room = this.rooms.room(streamId);
    if (!room || room.producers.length === 0) throw new StreamNotLiveError(streamId);
    return openRoomMedia(streamId, room, target, this.listenIp, waitMs);
  }
}
