import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import {
  BFRAMES_FIX,
  IngestFeed,
  IngestRefusal,
  RtmpIngestServer,
  SrtIngestServer,
  StreamNotLiveError,
  type EncoderLink,
  type IngestProtocol,
  type PublishRequest,
  type TagSink,
} from '../../media';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { HealthRegistry } from '../infra/health-registry';
import { PUBSUB, STATE_STORE } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import type { StateStore } from '../infra/state-store';
import { MetricsService } from '../metrics/metrics.service';
import {
  STREAM_KEY_CHANNEL,
  STREAM_LIFECYCLE_CHANNEL,
  type StreamKeyEvent,
  type StreamLifecycleEvent,
} from '../room/channels';
import type { IngestStatus, IngestWarning } from '../room/ingest-status';
import { SfuHost } from '../streams/ingest/sfu.provider';
import { StreamsService } from '../streams/streams.service';
import { IngestStatusRepository } from './ingest-status.repository';

/** Which replica holds a stream's RTMP/SRT encoder: one publisher per stream across replicas. */
const leaseKey = (streamId: string) => `ingest:lease:${streamId}`;
const LEASE_TTL_MS = 20_000;
const BEAT_MS = 2_000;
/** A keyframe interval above this slows viewers' start and stretches HLS segments. */
const LONG_GOP_SECONDS = 2.5;
/**
 * A connected encoder silent this long is taken over by a new one with the
 * key: an encoder whose network changed reconnects before the server can
 * tell that its old connection is dead (a TCP or SRT timeout).
 */
const STALE_MS = 2000;

/** One stream ingested on this replica. */
interface LocalStream {
  id: string;
  feed: IngestFeed;
  /** This feed made the stream live (its first encoder's media reached the SFU). */
  wentLive: boolean;
  /** The stream is ending or ended: no new publisher, no grace. */
  ending: boolean;
  /** The live stream's encoder left; its next ready is a reconnection. */
  away: boolean;
  reconnects: number;
  /** The encoder connected now (or last). */
  link?: { protocol: IngestProtocol; remote: string; connectedAt: number };
  state: IngestStatus['state'];
  lastError: IngestStatus['lastError'];
}

/**
 * RTMP and SRT ingest: the listeners, the stream-key check, and the life of
 * an ingested stream. An authorized encoder's media goes through an
 * IngestFeed into the stream's SFU room; its first media makes the stream
 * live; an encoder that drops may come back within
 * INGEST_RECONNECT_GRACE_SECONDS to the same stream, else the stream ends;
 * a key rotation drops it; the owner's end closes it. What the encoder sends
 * and how it is doing is written to the shared state store for the owner's
 * `GET /api/streams/:id`, and exported to /metrics and /health.
 */
@Injectable()
export class EncoderIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private readonly node = randomUUID();
  private rtmp?: RtmpIngestServer;
  private srt?: SrtIngestServer;
  private readonly streams = new Map<string, LocalStream>();
  /** Streams between an accepted key and the encoder's attach. */
  private readonly claiming = new Set<string>();
  private readonly unsubs: Unsubscribe[] = [];
  private beat?: NodeJS.Timeout;
  private refusals?: Counter<'protocol' | 'reason'>;

  constructor(
    private readonly host: SfuHost,
    private readonly streamsService: StreamsService,
    private readonly status: IngestStatusRepository,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config.ingest;
    if (!c.enabled || !this.host.sfu) return;
    const log = (level: 'info' | 'warn', m: string) =>
      level === 'warn' ? this.logger.warn(m) : this.logger.log(m);
    const onPublish = (req: PublishRequest) => this.authorize(req);
    if (c.rtmp.enabled) {
      const readPem = (file: string, what: string) => {
        try {
          return fs.readFileSync(file);
        } catch (e) {
          throw new Error(`RTMPS ${what} ${file} cannot be read: ${(e as Error).message}`);
        }
      };
      this.rtmp = await RtmpIngestServer.start({
        rtmp: { host: c.rtmp.listenIp, port: c.rtmp.port },
        rtmps: c.rtmps && {
          host: c.rtmp.listenIp,
          port: c.rtmps.port,
          cert: readPem(c.rtmps.certFile, 'certificate'),
          key: readPem(c.rtmps.keyFile, 'key'),
        },
        onPublish,
        handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
        idleTimeoutMs: 20_000,
        log,
      });
      this.logger.log(
        `RTMP ingest on ${c.rtmp.listenIp}:${c.rtmp.port}${c.rtmps ? `, RTMPS on ${c.rtmps.port}` : ''}`,
      );
    }
    if (c.srt.enabled) {
      this.srt = await SrtIngestServer.start({
        helperPath: c.srt.helperPath,
        host: c.srt.listenIp,
        port: c.srt.port,
        latencyMs: c.srt.latencyMs,
        passphrase: c.srt.passphrase,
        maxSessions: c.maxSessions,
        onPublish,
        log,
      });
      this.logger.log(`SRT ingest on ${c.srt.listenIp}:${this.srt.port} (UDP)`);
    }
    this.unsubs.push(
      await this.pubsub.subscribe(STREAM_LIFECYCLE_CHANNEL, (m) => {
        const ev = m as StreamLifecycleEvent;
        const s = this.streams.get(ev.streamId);
        if (ev.status === 'ended' && s) {
          this.close(s, 'the stream ended', new IngestRefusal('ended', 'The stream has ended'));
        }
      }),
      await this.pubsub.subscribe(STREAM_KEY_CHANNEL, (m) => {
        const s = this.streams.get((m as StreamKeyEvent).streamId);
        if (!s?.feed.connected) return;
        this.logger.log(`stream ${s.id}: the stream key was replaced; dropping its encoder`);
        s.feed.dropEncoder(
          'the stream key was replaced',
          new IngestRefusal('unauthorized', 'The stream key was replaced: publish with the new key'),
        );
      }),
    );
    this.beat = setInterval(() => void this.heartbeat(), BEAT_MS);
    this.beat.unref();
    this.registerHealthAndMetrics();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.beat);
    // The encoders are disconnected, their streams left as they are: no grace runs out into a
    // closed database; a stream nobody resumes is ended by the sweeper of the remaining replicas.
    for (const s of [...this.streams.values()]) {
      s.ending = true;
      s.feed.close('the server is shutting down');
      await this.state.del(leaseKey(s.id)).catch(() => undefined);
    }
    this.streams.clear();
    await this.rtmp?.close();
    await this.srt?.close();
    for (const u of this.unsubs.splice(0)) await u();
  }

  /** The ports actually listened on (tests). */
  get ports(): { rtmp?: number; rtmps?: number; srt?: number } {
    return { ...this.rtmp?.ports, srt: this.srt?.port };
  }

  private refuse(req: PublishRequest, refusal: IngestRefusal, why: string): never {
    // Never the key: the address, the protocol and the reason only.
    this.logger.log(`${req.protocol} ${req.remote}: publish refused: ${why}`);
    this.refusals?.inc({ protocol: req.protocol, reason: refusal.code });
    throw refusal;
  }

  /** An encoder asks to publish: its key, the stream's state, and one publisher per stream. */
  private async authorize(req: PublishRequest): Promise<(link: EncoderLink) => TagSink> {
    const stream = await this.streamsService.findByIngestKey(req.streamKey).catch((e: Error) => {
      this.logger.warn(`stream key lookup failed: ${e.message}`);
      return this.refuse(
        req,
        new IngestRefusal('unavailable', 'The server could not check the key'),
        'lookup failed',
      );
    });
    if (!stream) {
      return this.refuse(
        req,
        new IngestRefusal('unauthorized', 'Wrong or missing stream key'),
        'wrong or missing key',
      );
    }
    const id = stream.id;
    if (stream.status === 'ended') {
      return this.refuse(
        req,
        new IngestRefusal('ended', 'This stream has ended: create a new stream to go live again'),
        `stream ${id} has ended`,
      );
    }
    const busy = new IngestRefusal('busy', 'This stream already has a publisher');
    const local = this.streams.get(id);
    if (this.claiming.has(id) || local?.ending)
      return this.refuse(req, busy, `stream ${id} already has a publisher`);
    if (local?.feed.connected) {
      if (local.feed.silentMs < STALE_MS)
        return this.refuse(req, busy, `stream ${id} already has a publisher`);
      this.logger.log(
        `stream ${id}: its encoder has been silent ${local.feed.silentMs} ms; ${req.protocol} ${req.remote} takes over`,
      );
      local.feed.dropEncoder('a new connection with the key took over');
    }
    if (!local) {
      if (this.host.sfu?.isPublishing(id)) return this.refuse(req, busy, `stream ${id} has a WHIP publisher`);
      if (this.connectedCount() >= this.config.ingest.maxSessions) {
        return this.refuse(
          req,
          new IngestRefusal('unavailable', 'This server takes no more streams now'),
          `at ${this.config.ingest.maxSessions} encoders`,
        );
      }
      // One replica holds a stream's publisher: a WHIP publisher (its heartbeat) or another ingest (its lease).
      const whipElsewhere =
        stream.status === 'live' && (await this.state.get(`stream:${id}:publisher`)) !== null;
      if (whipElsewhere || !(await this.claimLease(id))) {
        return this.refuse(req, busy, `stream ${id} is published through another server`);
      }
    }
    this.claiming.add(id);
    const release = setTimeout(() => this.claiming.delete(id), 10_000);
    release.unref();
    return (link) => {
      clearTimeout(release);
      this.claiming.delete(id);
      const s = this.streams.get(id) ?? this.open(id);
      s.link = { protocol: link.protocol, remote: link.remote, connectedAt: Date.now() };
      s.state = 'connecting';
      const sink = s.feed.attach(link);
      void this.writeStatus(s);
      return sink;
    };
  }

  private async claimLease(id: string): Promise<boolean> {
    if (await this.state.setIfAbsent(leaseKey(id), this.node, LEASE_TTL_MS)) return true;
    return (await this.state.get(leaseKey(id))) === this.node;
  }

  private connectedCount(): number {
    return [...this.streams.values()].filter((s) => s.feed.connected).length;
  }

  /** A stream's feed on this replica, created with its first encoder. */
  private open(id: string): LocalStream {
    const c = this.config.ingest;
    const s: LocalStream = {
      id,
      wentLive: false,
      ending: false,
      away: false,
      reconnects: 0,
      state: 'connecting',
      lastError: null,
      feed: new IngestFeed({
        streamId: id,
        bframes: c.bframes,
        reencodePreset: c.reencodePreset,
        log: (level, m) => (level === 'warn' ? this.logger.warn(m) : this.logger.log(m)),
        publish: async (spec, source) => {
          const sfu = this.host.sfu;
          if (s.ending || !sfu) throw new StreamNotLiveError(id);
          return sfu.publishPlain(id, spec, source);
        },
      }),
    };
    s.feed.on('ready', () => void this.onReady(s));
    s.feed.on('refused', (r) => {
      s.lastError = { code: r.code, message: r.message, at: new Date().toISOString() };
      this.refusals?.inc({ protocol: s.link?.protocol ?? 'rtmp', reason: r.code });
    });
    s.feed.on('failed', (e) => {
      s.lastError = { code: 'failed', message: e.message, at: new Date().toISOString() };
    });
    s.feed.on('linkEnded', (reason) => void this.onLinkEnded(s, reason));
    this.streams.set(id, s);
    return s;
  }

  private async onReady(s: LocalStream): Promise<void> {
    if (s.ending) return;
    if (!s.wentLive) {
      try {
        await this.streamsService.markLive(s.id);
        s.wentLive = true;
        this.logger.log(`stream ${s.id} is live over ${s.link?.protocol}`);
      } catch (e) {
        this.logger.warn(`stream ${s.id} cannot go live: ${(e as Error).message}`);
        this.close(s, 'the stream cannot go live', new IngestRefusal('ended', 'This stream has ended'));
        return;
      }
    } else if (s.away) {
      s.away = false;
      s.reconnects++;
      this.logger.log(`stream ${s.id}: the encoder is back (${s.link?.protocol} ${s.link?.remote})`);
      // The stream was waiting (reconnecting): it goes on.
      await this.streamsService.publisherConnected(s.id).catch((e: Error) => {
        this.logger.warn(`stream ${s.id} cannot resume: ${e.message}`);
      });
    }
    s.state = 'live';
    await this.writeStatus(s);
  }

  /** The encoder went away: a live stream waits for it, a stream that never went live forgets it. */
  private async onLinkEnded(s: LocalStream, reason: string): Promise<void> {
    if (s.ending) return;
    if (!s.wentLive) {
      if (s.feed.connected) return;
      this.close(s, reason);
      return;
    }
    const grace = this.config.ingest.reconnectGraceSeconds;
    s.state = 'reconnecting';
    s.away = true;
    this.logger.log(`stream ${s.id}: the encoder left (${reason}); waiting ${grace} s for it to reconnect`);
    await this.writeStatus(s);
    // The stream waits for its publisher the way every ingest's does (StreamsService): viewers
    // see it reconnecting, and past the grace it ends, which the lifecycle event brings back here.
    await this.streamsService
      .publisherLost(s.id, { reason: `the encoder left (${reason})`, graceSeconds: grace })
      .catch((e: Error) => this.logger.warn(`stream ${s.id}: could not start its grace: ${e.message}`));
  }

  /** Takes a stream off this replica: encoder, feeder, room (if nobody else publishes), lease. */
  private close(s: LocalStream, reason: string, refusal?: IngestRefusal): void {
    if (this.streams.get(s.id) !== s) return;
    s.ending = true;
    this.streams.delete(s.id);
    s.feed.close(reason, refusal);
    const room = this.host.sfu?.room(s.id);
    if (room && !room.publisherSessionId) this.host.sfu?.closeStream(s.id);
    s.state = 'disconnected';
    void this.writeStatus(s);
    void this.state.del(leaseKey(s.id)).catch(() => undefined);
  }

  private warnings(s: LocalStream): IngestWarning[] {
    const info = s.feed.info;
    const out: IngestWarning[] = [];
    if (info?.bFrames) {
      out.push({
        code: 'b_frames',
        message:
          info.webrtcVideo === 'reencoded'
            ? 'The encoder sends B-frames, which WebRTC cannot play: WebRTC viewers get a re-encode (server CPU, a little delay); HLS copies the video as sent.'
            : 'The encoder sends B-frames, which WebRTC cannot play.',
        fix: BFRAMES_FIX,
      });
    }
    if (info?.reencodeReason === 'pixel_format') {
      out.push({
        code: 'pixel_format',
        message:
          'The encoder sends 10-bit or 4:2:2 video, which browsers do not decode over WebRTC: WebRTC viewers get a re-encode.',
        fix: 'Set Color Format to NV12 in OBS (Settings → Advanced → Video).',
      });
    }
    const gop = s.feed.stats().keyframeInterval;
    if (gop !== undefined && gop > LONG_GOP_SECONDS) {
      out.push({
        code: 'keyframe_interval',
        message: `A keyframe comes every ${gop} s: new viewers wait up to that long for a picture, and HLS segments grow.`,
        fix: 'Set Keyframe Interval to 2 s in OBS (Settings → Output → Streaming).',
      });
    }
    return out;
  }

  private statusOf(s: LocalStream): IngestStatus {
    const info = s.feed.info;
    const stats = s.feed.stats();
    const transport = s.feed.transportStats();
    const now = new Date().toISOString();
    const connected = s.state === 'live' || s.state === 'connecting';
    return {
      state: s.state,
      protocol: s.link?.protocol ?? 'rtmp',
      remoteAddress: s.link?.remote ?? '',
      connectedAt: new Date(s.link?.connectedAt ?? Date.now()).toISOString(),
      updatedAt: now,
      video: info
        ? {
            codec: 'h264',
            profile: info.video.profile,
            width: info.video.width,
            height: info.video.height,
            fps: info.video.fps ?? null,
          }
        : null,
      audio: info?.audio
        ? { codec: 'aac', sampleRate: info.audio.sampleRate, channels: info.audio.channels }
        : null,
      bFrames: info?.bFrames ?? false,
      webrtcVideo: info?.webrtcVideo ?? 'passthrough',
      bitrateKbps: connected ? Math.round(stats.bitrate / 1000) : 0,
      fps: connected ? stats.fps : 0,
      droppedFrames: stats.droppedFrames + (transport?.droppedPackets ?? 0),
      keyframeIntervalSeconds: stats.keyframeInterval ?? null,
      reconnects: s.reconnects,
      warnings: this.warnings(s),
      lastError: s.lastError,
    };
  }

  private async writeStatus(s: LocalStream): Promise<void> {
    await this.status.put(s.id, this.statusOf(s)).catch((e: Error) => {
      this.logger.warn(`could not write the ingest status of ${s.id}: ${e.message}`);
    });
  }

  /** Every couple of seconds: fresh statistics for the studio, and the leases kept. */
  private async heartbeat(): Promise<void> {
    for (const s of this.streams.values()) {
      await this.writeStatus(s);
      await this.state.set(leaseKey(s.id), this.node, LEASE_TTL_MS).catch(() => undefined);
    }
  }

  private registerHealthAndMetrics(): void {
    const rtmp = this.rtmp;
    const srt = this.srt;
    this.health.register({
      check: async (indicator) => {
        const i = indicator.check('ingest');
        const details = {
          rtmp: rtmp ? rtmp.ports.rtmp : 'off',
          rtmps: rtmp?.ports.rtmps ?? 'off',
          srt: srt ? (srt.up ? srt.port : 'down') : 'off',
          encoders: this.connectedCount(),
        };
        return srt && !srt.up ? i.down(details) : i.up(details);
      },
    });
    const registers = [this.metrics.registry];
    const local = () => [...this.streams.values()];
    new Gauge({
      name: 'livecart_ingest_encoders',
      help: 'RTMP/SRT encoders connected to this process',
      labelNames: ['protocol'],
      registers,
      collect() {
        this.reset();
        for (const p of ['rtmp', 'rtmps', 'srt'] as const) this.set({ protocol: p }, 0);
        for (const s of local()) if (s.feed.connected && s.link) this.inc({ protocol: s.link.protocol });
      },
    });
    const perStream = (name: string, help: string, value: (s: LocalStream) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['stream'],
        registers,
        collect() {
          this.reset();
          for (const s of local()) {
            const v = value(s);
            if (v !== undefined) this.set({ stream: s.id }, v);
          }
        },
      });
    perStream(
      'livecart_ingest_bitrate_bits_per_second',
      "Bit rate of an RTMP/SRT encoder's media over the last few seconds",
      (s) => (s.feed.connected ? s.feed.stats().bitrate : 0),
    );
    perStream('livecart_ingest_fps', 'Video frames per second an encoder sends', (s) =>
      s.feed.connected ? s.feed.stats().fps : 0,
    );
    perStream(
      'livecart_ingest_dropped_frames',
      'Video frames the ingest dropped (its feeder fell behind), plus packets SRT gave up on',
      (s) => s.feed.stats().droppedFrames + (s.feed.transportStats()?.droppedPackets ?? 0),
    );
    perStream('livecart_ingest_webrtc_reencoded', '1 when WebRTC viewers get a re-encode (B-frames)', (s) =>
      s.feed.info?.webrtcVideo === 'reencoded' ? 1 : 0,
    );
    this.refusals = new Counter({
      name: 'livecart_ingest_refusals_total',
      help: 'RTMP/SRT publishes refused, by reason (wrong key, busy, codec, ...)',
      labelNames: ['protocol', 'reason'],
      registers,
    });
  }
}
