import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  MediaBusyError,
  MediaError,
  SdpError,
  sdpErrorHttpStatus,
  TooManyPendingError,
  type GoneReason,
  type Sfu,
} from '../../../media';
import {
  BadRequestError,
  ConflictError,
  DomainError,
  MissingError,
  NotAcceptableError,
  RateLimitedError,
  UnavailableError,
} from '../../common/errors/domain-errors';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { PUBSUB, STATE_STORE } from '../../infra/infra.module';
import type { PubSub, Unsubscribe } from '../../infra/pubsub';
import type { StateStore } from '../../infra/state-store';
import { STREAM_LIFECYCLE_CHANNEL, type StreamLifecycleEvent } from '../../room/channels';
import { StreamsService } from '../streams.service';
import { SfuHost } from './sfu.provider';

/** How often a replica refreshes the heartbeat of the streams it publishes. */
const HEARTBEAT_MS = 5_000;
/** A live stream with no heartbeat for this long has lost its replica. */
const HEARTBEAT_TTL_MS = 20_000;

/** Maps media-plane errors to the HTTP errors WHIP/WHEP clients get. */
export function toDomainError(e: unknown): unknown {
  if (e instanceof SdpError) {
    const status = sdpErrorHttpStatus(e);
    if (status === 406) return new NotAcceptableError(e.message, e.code);
    if (status === 400) return new BadRequestError(e.message, `sdp_${e.code}`);
    return e;
  }
  if (e instanceof MediaBusyError) return new UnavailableError(e.message, e.code, e.retryAfterSeconds);
  if (e instanceof TooManyPendingError) return new RateLimitedError(e.message, e.retryAfterSeconds);
  if (e instanceof MediaError) {
    if (e.status === 404) return new MissingError(e.message, e.code);
    if (e.status === 409) return new ConflictError(e.message, e.code);
    if (e.status === 503) return new UnavailableError(e.message, e.code);
  }
  return e;
}

/**
 * WHIP ingest and WHEP playback on this replica's SFU, tied to the stream
 * lifecycle through StreamsService's publisher state machine: a publish makes
 * the stream live, or resumes it when it was waiting for its publisher; a
 * publisher that goes away (DELETE, ICE consent lost, DTLS closed or failed,
 * its media worker or replica dead) makes it wait for a new publish during
 * the reconnect grace; only the owner's End or the grace's end ends it, and
 * closes its media here.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private heartbeat?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private unsubscribe?: Unsubscribe;

  constructor(
    private readonly host: SfuHost,
    private readonly streams: StreamsService,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get sfu(): Sfu {
    if (!this.host.sfu) throw new UnavailableError('This process runs no media server', 'media_unavailable');
    return this.host.sfu;
  }

  async onApplicationBootstrap(): Promise<void> {
    const sfu = this.host.sfu;
    if (!sfu) return;
    sfu.on('publisherGone', (streamId, reason) => void this.onPublisherGone(streamId, reason));
    // The owner ended the stream through any replica: close its media here.
    this.unsubscribe = await this.pubsub.subscribe(STREAM_LIFECYCLE_CHANNEL, (msg) => {
      const ev = msg as StreamLifecycleEvent;
      if (ev.status === 'ended') {
        sfu.closeStream(ev.streamId);
        void this.state.del(this.aliveKey(ev.streamId));
      }
    });
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.sweeper = setInterval(() => void this.sweep(), HEARTBEAT_MS * 2);
    this.heartbeat.unref();
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    await this.unsubscribe?.();
  }

  private aliveKey(streamId: string): string {
    return `stream:${streamId}:publisher`;
  }

  private async beat(): Promise<void> {
    const sfu = this.host.sfu;
    if (!sfu) return;
    const live = await this.streams.liveStreams().catch(() => []);
    await Promise.all(
      live
        .filter((s) => sfu.isPublishing(s.id))
        .map((s) => this.state.set(this.aliveKey(s.id), '1', HEARTBEAT_TTL_MS)),
    ).catch(() => undefined);
  }

  /**
   * Live streams whose publisher's replica is gone (crashed, killed,
   * restarted) and that nobody publishes: their publisher is lost, and may
   * come back through any replica during the grace.
   */
  private async sweep(): Promise<void> {
    try {
      for (const s of await this.streams.liveStreams()) {
        if (s.reconnectDeadline) continue;
        const since = Date.now() - (s.startedAt?.getTime() ?? 0);
        if (since < HEARTBEAT_TTL_MS) continue;
        if (this.host.sfu?.isPublishing(s.id)) continue;
        if ((await this.state.get(this.aliveKey(s.id))) !== null) continue;
        this.logger.warn(`stream ${s.id} has no publisher on any replica`);
        await this.lost(s.id, 'no publisher on any replica');
      }
    } catch (e) {
      this.logger.warn(`sweep failed: ${(e as Error).message}`);
    }
  }

  private async onPublisherGone(streamId: string, reason: GoneReason): Promise<void> {
    await this.lost(streamId, reason === 'worker_died' ? 'its media worker died' : `publisher ${reason}`);
  }

  /** The publisher left: the stream waits for it (StreamsService.publisherLost). */
  private async lost(streamId: string, why: string): Promise<void> {
    try {
      await this.streams.publisherLost(streamId, { reason: why });
    } catch (e) {
      this.logger.error(`stream ${streamId}: could not record its lost publisher: ${(e as Error).message}`);
    }
  }

  /**
   * Offers cost CPU (SDP parsing, transports, DTLS): each client address gets
   * a burst, then a steady rate. WHEP allows more, since a household may
   * have several viewers behind one address.
   */
  private async limit(kind: 'whip' | 'whep', clientIp: string): Promise<void> {
    const [capacity, perSecond] = kind === 'whip' ? [20, 1] : [30, 5];
    const wait = await this.state.takeToken(`${kind}:ip:${clientIp}`, capacity, perSecond);
    if (wait > 0)
      throw new RateLimitedError(`Too many ${kind.toUpperCase()} requests; retry later`, wait / 1000);
  }

  /** WHIP POST: the stream key is checked before any media work. */
  async publish(
    streamId: string,
    streamKey: string | undefined,
    offerSdp: string,
    clientIp = 'unknown',
  ): Promise<{ sessionId: string; answer: string }> {
    await this.limit('whip', clientIp);
    const stream = await this.streams.verifyKey(streamId, streamKey);
    if (stream.status === 'ended') {
      throw new ConflictError(
        `Stream ${streamId} has ended; create a new stream to go live again`,
        'stream_ended',
      );
    }
    try {
      const result = await this.sfu.publish(streamId, offerSdp);
      try {
        await this.streams.publisherConnected(streamId);
      } catch (e) {
        this.sfu.closeStream(streamId);
        throw e;
      }
      await this.state.set(this.aliveKey(streamId), '1', HEARTBEAT_TTL_MS);
      this.logger.log(`stream ${streamId} is live (session ${result.sessionId})`);
      return result;
    } catch (e) {
      throw toDomainError(e);
    }
  }

  /**
   * WHIP DELETE: this session is over. The stream is not: a studio that
   * reloads or a tab that closes sends DELETE too, so the stream waits for a
   * new publish during the grace. The owner's End ends it.
   */
  async unpublish(streamId: string, sessionId: string): Promise<void> {
    try {
      this.sfu.unpublish(streamId, sessionId);
    } catch (e) {
      throw toDomainError(e);
    }
    await this.lost(streamId, 'publisher sent WHIP DELETE');
  }

  async view(
    streamId: string,
    offerSdp: string,
    clientIp = 'unknown',
  ): Promise<{ sessionId: string; answer: string }> {
    await this.limit('whep', clientIp);
    const stream = await this.streams.mustFind(streamId);
    if (stream.status === 'live' && stream.reconnectDeadline) {
      throw new MissingError(
        'The stream is waiting for its streamer to reconnect; play it again when it is back.',
        'stream_reconnecting',
      );
    }
    if (stream.status !== 'live')
      throw new MissingError(`Stream ${streamId} is not live (${stream.status})`, 'stream_not_live');
    try {
      return await this.sfu.view(streamId, offerSdp, clientIp);
    } catch (e) {
      const mapped = toDomainError(e);
      if (mapped instanceof DomainError) throw mapped;
      throw e;
    }
  }

  stopViewing(streamId: string, sessionId: string): void {
    try {
      this.sfu.stopViewing(streamId, sessionId);
    } catch (e) {
      throw toDomainError(e);
    }
  }

  hasSession(streamId: string, sessionId: string, kind: 'whip' | 'whep'): boolean {
    const sfu = this.host.sfu;
    if (!sfu) return false;
    if (kind === 'whip') return sfu.publisherSessionId(streamId) === sessionId;
    return sfu.room(streamId)?.hasViewer(sessionId) ?? false;
  }
}
