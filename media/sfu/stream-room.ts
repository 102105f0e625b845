import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import {
  acceptedFromProducers,
  assignProducersToViewerMedia,
  consumerToAnswerMedia,
  createAnswer,
  offerToDtlsParameters,
  offerToProducerParameters,
  offerToRtpCapabilities,
  parseOffer,
  SdpError,
  type AcceptedMedia,
} from '../sdp';
import { PublisherExistsError, SessionNotFoundError, StreamNotLiveError } from './errors';
import type { PendingSessions } from './pending-sessions';
import type { ContainerSource } from './plain-output';

/** Timing settings of a room's transports (where they listen is the worker's WebRtcServer). */
export interface RoomTransportOptions {
  /** Seconds without ICE consent before a peer counts as gone (RFC 7675). */
  iceConsentTimeout: number;
  /** Seconds a peer may take to connect after its answer before the session is dropped. */
  connectTimeout: number;
  /**
   * Keyframe requests from viewers are merged over this window (ms), so a
   * join storm costs the publisher one keyframe, not one per viewer.
   */
  keyFrameRequestDelay: number;
}

export type GoneReason = 'ice_disconnected' | 'dtls_failed' | 'connect_timeout' | 'worker_died' | 'closed';

interface Session {
  id: string;
  transport: types.WebRtcTransport;
  connectTimer?: NodeJS.Timeout;
}

interface PublisherSession extends Session {
  producers: types.Producer[];
}

interface ViewerSession extends Session {
  consumers: types.Consumer[];
  /** Stops counting it as connecting (PendingSessions); called once it connects or closes. */
  connected: () => void;
}

/** What a plain RTP publisher sends: one RTP stream per kind, described as mediasoup wants it. */
export interface PlainPublishSpec {
  video: types.RtpParameters;
  audio?: types.RtpParameters;
}

/** A plain RTP publisher's ports (on `host`) and a way to take it off the room. */
export interface PlainPublisher {
  readonly sessionId: string;
  readonly host: string;
  readonly video: { port: number; rtcpPort: number; producer: types.Producer };
  readonly audio?: { port: number; rtcpPort: number; producer: types.Producer };
  close(): void;
}

interface PlainSession {
  id: string;
  transports: types.PlainTransport[];
  producers: types.Producer[];
}

export interface RoomEvents {
  /** The publisher went away without DELETE (or its worker died). */
  publisherGone: [reason: GoneReason];
  viewerGone: [sessionId: string, reason: GoneReason];
  closed: [];
}

/**
 * mediasoup checks the parameters made from an offer once more (ortc.ts) and
 * throws TypeError (malformed) or UnsupportedError: those are the client's
 * offer refused, a 400 or 406 naming what mediasoup said, not a 500.
 */
function offerRefused(e: unknown): never {
  if (e instanceof TypeError)
    throw new SdpError('malformed', `the offer's parameters were refused: ${e.message}`);
  if (e instanceof Error && e.name === 'UnsupportedError') {
    throw new SdpError('unsupported_codec', `the offer's parameters are not supported: ${e.message}`);
  }
  throw e;
}

/**
 * One live stream on the SFU: a router, at most one publisher (WHIP) and any
 * number of viewers (WHEP). Closing the room closes the router, which closes
 * every transport, producer and consumer and frees their ports.
 */
export class StreamRoom extends EventEmitter<RoomEvents> {
  private publisher?: PublisherSession;
  /** An RTMP/SRT ingest's ffmpeg, publishing over plain RTP (instead of a WHIP publisher). */
  private plain?: PlainSession;
  /** The plain publisher's own media (an RTMP/SRT encoder's), for transcoders. */
  ingestSource?: ContainerSource;
  private readonly viewers = new Map<string, ViewerSession>();
  private isClosed = false;

  constructor(
    readonly streamId: string,
    readonly router: types.Router,
    private readonly opts: RoomTransportOptions,
    /** The worker's shared WebRTC port: transports of this room take no port of their own. */
    private readonly webRtcServer: types.WebRtcServer,
    private readonly pending: PendingSessions,
  ) {
    super();
    // The worker died: mediasoup closes the router with it.
    router.observer.once('close', () => {
      if (!this.isClosed) {
        if (this.publisher || this.plain) this.emit('publisherGone', 'worker_died');
        this.finishClose();
      }
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get publisherSessionId(): string | undefined {
    return this.publisher?.id ?? this.plain?.id;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  get producers(): types.Producer[] {
    return this.publisher?.producers ?? this.plain?.producers ?? [];
  }

  private async createTransport(): Promise<types.WebRtcTransport> {
    return this.router.createWebRtcTransport({
      webRtcServer: this.webRtcServer,
      preferUdp: true,
      iceConsentTimeout: this.opts.iceConsentTimeout,
      initialAvailableOutgoingBitrate: 1_500_000,
    });
  }

  /** Watches a session's connectivity; calls `gone` once when it is lost. */
  private watch(session: Session, gone: (reason: GoneReason) => void): void {
    let done = false;
    const fire = (reason: GoneReason) => {
      if (done) return;
      done = true;
      clearTimeout(session.connectTimer);
      gone(reason);
    };
    session.connectTimer = setTimeout(() => {
      if (session.transport.dtlsState !== 'connected') fire('connect_timeout');
    }, this.opts.connectTimeout * 1000);
    session.connectTimer.unref();
    session.transport.on('icestatechange', (state) => {
      if (state === 'disconnected' || state === 'closed') fire('ice_disconnected');
    });
    session.transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') fire('dtls_failed');
      if (state === 'connected') clearTimeout(session.connectTimer);
    });
  }

  /** WHIP: takes the publisher's offer, returns the session id and the SDP answer. */
  async publish(offerSdp: string): Promise<{ sessionId: string; answer: string }> {
    if (this.isClosed) throw new StreamNotLiveError(this.streamId);
    if (this.publisher || this.plain) throw new PublisherExistsError(this.streamId);
    const offer = parseOffer(offerSdp);
    const specs = offerToProducerParameters(offer, this.router.rtpCapabilities);
    // Re-check after the awaits below could interleave with a racing publish.
    const transport = await this.createTransport();
    if (this.publisher || this.plain || this.isClosed) {
      transport.close();
      throw this.isClosed ? new StreamNotLiveError(this.streamId) : new PublisherExistsError(this.streamId);
    }
    const session: PublisherSession = { id: randomUUID(), transport, producers: [] };
    this.publisher = session;
    try {
      await transport.connect({ dtlsParameters: offerToDtlsParameters(offer) });
      for (const spec of specs) {
        session.producers.push(
          await transport
            .produce({
              kind: spec.kind,
              rtpParameters: spec.rtpParameters,
              keyFrameRequestDelay: this.opts.keyFrameRequestDelay,
            })
            .catch(offerRefused),
        );
      }
      const answer = createAnswer({
        offer,
        transport: transport,
        accepted: acceptedFromProducers(specs),
      });
      this.watch(session, (reason) => {
        if (this.publisher !== session) return;
        this.emit('publisherGone', reason);
      });
      return { sessionId: session.id, answer };
    } catch (e) {
      transport.close();
      this.publisher = undefined;
      throw e;
    }
  }

  /**
   * A plain RTP publisher: a local ffmpeg that turns an RTMP/SRT encoder's
   * media into RTP. One PlainTransport per kind on loopback (the ffmpeg runs
   * beside the SFU), `comedia` (mediasoup learns ffmpeg's ports from its
   * first packets) and RTCP on its own port, so ffmpeg's sender reports,
   * which browsers need for lip sync, reach the producer.
   */
  async publishPlain(
    spec: PlainPublishSpec,
    source?: ContainerSource,
    host = '127.0.0.1',
  ): Promise<PlainPublisher> {
    if (this.isClosed) throw new StreamNotLiveError(this.streamId);
    if (this.publisher || this.plain) throw new PublisherExistsError(this.streamId);
    const session: PlainSession = { id: randomUUID(), transports: [], producers: [] };
    this.plain = session;
    this.ingestSource = source;
    const ports: { kind: 'video' | 'audio'; port: number; rtcpPort: number; producer: types.Producer }[] = [];
    try {
      for (const [kind, rtpParameters] of [
        ['video', spec.video],
        ['audio', spec.audio],
      ] as const) {
        if (!rtpParameters) continue;
        const transport = await this.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: host },
          rtcpMux: false,
          comedia: true,
        });
        session.transports.push(transport);
        const producer = await transport.produce({
          kind,
          rtpParameters,
          keyFrameRequestDelay: this.opts.keyFrameRequestDelay,
        });
        session.producers.push(producer);
        ports.push({
          kind,
          port: transport.tuple.localPort,
          rtcpPort: transport.rtcpTuple!.localPort,
          producer,
        });
      }
      if (this.isClosed || this.plain !== session) throw new StreamNotLiveError(this.streamId);
    } catch (e) {
      for (const t of session.transports) t.close();
      if (this.plain === session) {
        this.plain = undefined;
        this.ingestSource = undefined;
      }
      throw e;
    }
    const video = ports.find((p) => p.kind === 'video')!;
    const audio = ports.find((p) => p.kind === 'audio');
    return {
      sessionId: session.id,
      host,
      video,
      audio,
      close: () => {
        for (const t of session.transports) t.close();
        if (this.plain === session) {
          this.plain = undefined;
          this.ingestSource = undefined;
        }
      },
    };
  }

  /**
   * WHEP: a viewer's recvonly offer → consumers of the publisher's producers
   * (a WHIP publisher's, or a plain RTMP/SRT ingest publisher's) and the
   * answer. Until it connects the session counts against the stream's and the
   * client's limits of connecting sessions (PendingSessions: 503 or 429
   * beyond them), and it is closed after the connect timeout.
   */
  async addViewer(offerSdp: string, client = 'unknown'): Promise<{ sessionId: string; answer: string }> {
    const producers = this.producers;
    if (this.isClosed || producers.length === 0) {
      throw new StreamNotLiveError(this.streamId);
    }
    const offer = parseOffer(offerSdp);
    const assignment = assignProducersToViewerMedia(offer, producers);
    if (!assignment.some((a) => a.producer)) {
      throw new SdpError(
        'wrong_direction',
        'The offer has no recvonly audio or video m-line this stream can fill',
      );
    }
    const connected = this.pending.acquire(this.streamId, client);
    let transport: types.WebRtcTransport;
    try {
      transport = await this.createTransport();
    } catch (e) {
      connected();
      throw e;
    }
    const session: ViewerSession = { id: randomUUID(), transport, consumers: [], connected };
    try {
      await transport.connect({ dtlsParameters: offerToDtlsParameters(offer) });
      const accepted: Record<string, AcceptedMedia> = {};
      for (const { mid, producer } of assignment) {
        if (!producer) continue;
        // One m-line's capabilities per consumer: mediasoup matches header extensions by id
        // and URI whatever their kind, so the other m-line's must not reach this consumer.
        const rtpCapabilities = offerToRtpCapabilities(offer, {
          mid,
          routerRtpCapabilities: this.router.rtpCapabilities,
        });
        if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities })) continue;
        const consumer = await transport
          .consume({ producerId: producer.id, rtpCapabilities, paused: true, mid })
          .catch(offerRefused);
        session.consumers.push(consumer);
        accepted[mid] = consumerToAnswerMedia({
          offer,
          mid,
          consumer: consumer,
          msid: { streamId: this.streamId, trackId: `${consumer.kind}-${consumer.id}` },
        });
      }
      if (session.consumers.length === 0) {
        throw new SdpError(
          'unsupported_codec',
          'None of the codecs this stream is sent in was offered by the viewer',
        );
      }
      const answer = createAnswer({ offer, transport: transport, accepted });
      this.viewers.set(session.id, session);
      // Start media once the viewer can receive it: the resume asks the publisher for a
      // keyframe (merged with other joiners' requests by keyFrameRequestDelay).
      transport.on('dtlsstatechange', (state) => {
        if (state !== 'connected') return;
        session.connected();
        for (const c of session.consumers) void c.resume().catch(() => undefined);
      });
      this.watch(session, (reason) => {
        if (!this.viewers.has(session.id)) return;
        this.closeViewer(session.id);
        this.emit('viewerGone', session.id, reason);
      });
      return { sessionId: session.id, answer };
    } catch (e) {
      connected();
      transport.close();
      throw e;
    }
  }

  closeViewer(sessionId: string): void {
    const s = this.viewers.get(sessionId);
    if (!s) throw new SessionNotFoundError(sessionId);
    s.connected();
    clearTimeout(s.connectTimer);
    this.viewers.delete(sessionId);
    s.transport.close();
  }

  hasViewer(sessionId: string): boolean {
    return this.viewers.has(sessionId);
  }

  /**
   * A viewer session's transport and consumers, to read their stats (the
   * transport's bandwidth estimate, each consumer's score and layers).
   */
  viewerMedia(
    sessionId: string,
  ): { transport: types.WebRtcTransport; consumers: readonly types.Consumer[] } | undefined {
    const s = this.viewers.get(sessionId);
    return s && { transport: s.transport, consumers: s.consumers };
  }

  /** Closes the router and with it every transport, producer, consumer and port. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.finishClose();
    this.router.close();
  }

  private finishClose(): void {
    this.isClosed = true;
    if (this.publisher) clearTimeout(this.publisher.connectTimer);
    for (const v of this.viewers.values()) {
      clearTimeout(v.connectTimer);
      v.connected();
    }
    this.publisher = undefined;
    this.plain = undefined;
    this.ingestSource = undefined;
    this.viewers.clear();
    this.emit('closed');
  }
}
