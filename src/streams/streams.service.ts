import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { UsersRepository } from '../auth/users.repository';
import type { AuthUser } from '../common/auth/roles';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MerchantLinksService } from '../merchant/merchant-links.service';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub } from '../infra/pubsub';
import { STREAM_KEY_CHANNEL, type StreamKeyEvent, type StreamLifecycleEvent } from '../room/channels';
import { INGEST_STATUS_READER, type IngestStatus, type IngestStatusReader } from '../room/ingest-status';
import type { StreamState } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import type { StreamDto, StreamOwnerDto, StreamPageDto, StreamWithKeyDto } from './dto/stream.dto';
import type { StreamEntity } from './stream.entity';
import { StreamsRepository } from './streams.repository';

export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** How often each replica ends the streams whose publisher did not come back in time. */
const GRACE_SWEEP_MS = 2_000;

/** Why a publisher left, for the logs. */
export type PublisherLossReason = string;

/**
 * Streams and their lifecycle: created → live → ended, and in between, the
 * publisher state machine every ingest (WHIP here; RTMP/SRT encoders) drives:
 *
 *   publisherConnected(id)  created → live; or a live stream that was waiting
 *                           for its publisher resumes (same stream, same id)
 *   publisherLost(id, …)    live → reconnecting: it waits `graceSeconds`
 *                           (STREAM_RECONNECT_GRACE_SECONDS) for a publisher
 *   (grace passed)          reconnecting → ended, by a timer on the replica
 *                           that saw the loss or any replica's sweep
 *   end(user, id)           the owner's End: ended at once
 *
 * "Reconnecting" is a live stream with a `reconnect_deadline`: pins, orders
 * and chat go on, the room is told (`stream:status` reconnecting, then live
 * again), and the stream API shows `status: "reconnecting"`. All of it is in
 * the database, so every replica agrees and a publisher may come back through
 * any of them.
 */
@Injectable()
export class StreamsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Streams');
  /** Local timers that end a stream at its grace's end (the sweep is the backstop). */
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private sweep?: NodeJS.Timeout;

  constructor(
    private readonly streams: StreamsRepository,
    private readonly users: UsersRepository,
    private readonly links: MerchantLinksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rooms: RoomPublisher,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Optional() @Inject(INGEST_STATUS_READER) private readonly ingest?: IngestStatusReader,
  ) {}

  onApplicationBootstrap(): void {
    this.sweep = setInterval(() => void this.expireGraces(), GRACE_SWEEP_MS);
    this.sweep.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.graceTimers.clear();
  }

  /** Tells every replica and the stream's room that the status changed. */
  private async announce(s: StreamEntity, resumed = false): Promise<void> {
    const lifecycle: StreamLifecycleEvent = {
      streamId: s.id,
      status: s.status,
      ownerId: s.ownerId,
      merchantId: s.merchantId,
      ...(resumed && { resumed: true }),
    };
    await this.rooms.streamStatus(lifecycle);
  }

  /** What viewers are told: `reconnecting` for a live stream waiting for its publisher. */
  static stateOf(s: StreamEntity): StreamState {
    return s.status === 'live' && s.reconnectDeadline ? 'reconnecting' : s.status;
  }

  toDto(s: StreamEntity, names: Map<string, string> = new Map()): StreamDto {
    const base = this.config.http.publicUrl;
    return {
      id: s.id,
      title: s.title,
      status: StreamsService.stateOf(s),
      reconnectUntil: s.status === 'live' ? (s.reconnectDeadline?.toISOString() ?? null) : null,
      ownerId: s.ownerId,
      merchantId: s.merchantId,
      shop: s.merchantId ? { id: s.merchantId, name: names.get(s.merchantId) ?? '' } : null,
      whipUrl: `${base}/whip/${s.id}`,
      whepUrl: `${base}/whep/${s.id}`,
      hlsUrl: `${base}/hls/${s.id}/master.m3u8`,
      replayAvailable: s.status === 'ended' && s.replayReady,
      posterUrl: s.status === 'live' || s.replayReady ? `${base}/hls/${s.id}/poster.jpg` : null,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
    };
  }

  /** Streams as the API shows them, with the names of their shops. */
  async dtos(list: StreamEntity[]): Promise<StreamDto[]> {
    const names = await this.streams.names([
      ...new Set(list.flatMap((s) => (s.merchantId ? [s.merchantId] : []))),
    ]);
    return list.map((s) => this.toDto(s, names));
  }

  async dto(s: StreamEntity): Promise<StreamDto> {
    return (await this.dtos([s]))[0];
  }

  /**
   * The owner's view: where an encoder publishes (RTMP, RTMPS, SRT; the key
   * is never part of a URL) and how the current RTMP/SRT encoder is doing.
   */
  async toOwnerDto(s: StreamEntity, withIngest = true): Promise<StreamOwnerDto> {
    const i = this.config.ingest;
    const host =
      i.publicHost.includes(':') && !i.publicHost.startsWith('[') ? `[${i.publicHost}]` : i.publicHost;
    let ingest: IngestStatus | null = null;
    if (withIngest && this.ingest) {
      ingest = await this.ingest.get(s.id).catch((e: Error) => {
        this.logger.warn(`ingest status of ${s.id} unreadable: ${e.message}`);
        return null;
      });
      // An ended stream has no encoder. The replica that held it writes "disconnected" when the
      // end reaches it (the lifecycle event), after the stream's row says ended: until then the
      // stored status is the one from before the end.
      if (ingest && s.status === 'ended' && ingest.state !== 'disconnected')
        ingest = { ...ingest, state: 'disconnected' };
    }
    return {
      ...(await this.dto(s)),
      rtmpUrl: i.offered && i.rtmp.enabled ? `rtmp://${host}:${i.rtmp.port}/live` : null,
      rtmpsUrl: i.offered && i.rtmp.enabled && i.rtmps ? `rtmps://${host}:${i.rtmps.port}/live` : null,
      srtUrl: i.offered && i.srt.enabled ? `srt://${host}:${i.srt.port}` : null,
      ingest,
    };
  }

  /** 256-bit random key, prefixed so it is recognisable in logs and secret scanners. */
  private static newKey(): string {
    return `sk_live_${randomBytes(32).toString('base64url')}`;
  }

  /** The shop a stream may sell for: a merchant that invited `owner`, who accepted (or `owner`'s own shop). */
  private async assertShop(owner: AuthUser, merchantId: string): Promise<void> {
    const merchant = await this.users.findById(merchantId);
    if (!merchant?.roles.includes('merchant')) {
      throw new ValidationError('There is no shop with this id; choose one of your shops from the list.', {
        field: 'merchantId',
      });
    }
    await this.links.assertMayStreamFor(owner, merchantId);
  }

  async create(owner: AuthUser, input: { title: string; merchantId?: string }): Promise<StreamWithKeyDto> {
    if (input.merchantId) await this.assertShop(owner, input.merchantId);
    const streamKey = StreamsService.newKey();
    const s = await this.streams.create({
      ownerId: owner.id,
      merchantId: input.merchantId ?? null,
      title: input.title,
      streamKeyHash: hashStreamKey(streamKey),
    });
    return { ...(await this.toOwnerDto(s, false)), streamKey };
  }

  /**
   * The owner renames a stream, or attaches, changes or (null) detaches its
   * shop. The shop only before the stream goes live: orders, pins and
   * reports of a started stream belong to the shop it had.
   */
  async update(
    user: AuthUser,
    id: string,
    patch: { title?: string; merchantId?: string | null },
  ): Promise<StreamDto> {
    const s = await this.mustFind(id);
    this.assertOwner(user, s);
    if (patch.merchantId) await this.assertShop(user, patch.merchantId);
    const updated = await this.streams.update(id, patch);
    if (!updated) {
      const cur = await this.mustFind(id);
      if (cur.status === 'ended') throw new ConflictError('This stream has ended.', 'stream_ended');
      throw new ConflictError(
        'The shop of a stream can only be chosen or changed before it goes live.',
        'stream_started',
      );
    }
    return this.dto(updated);
  }

  /** The public view, or the owner's (an admin's) when `user` may see it. */
  async get(id: string, user?: AuthUser): Promise<StreamDto | StreamOwnerDto> {
    const s = await this.mustFind(id);
    if (user && (s.ownerId === user.id || user.roles.includes('admin'))) return this.toOwnerDto(s);
    return this.dto(s);
  }

  async mustFind(id: string): Promise<StreamEntity> {
    const s = await this.streams.findById(id);
    if (!s) throw new NotFoundError('Stream', id);
    return s;
  }

  async list(q: {
    status?: StreamState;
    ownerId?: string;
    replay?: boolean;
    limit?: number;
    offset?: number;
  }): Promise<StreamPageDto> {
    const [items, total] = await this.streams.list({
      status: q.status,
      ownerId: q.ownerId,
      replay: q.replay,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    return { items: await this.dtos(items), total };
  }

  private assertOwner(user: AuthUser, s: StreamEntity): void {
    if (s.ownerId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError('Only the streamer who runs this stream can do this.');
    }
  }

  async rotateKey(user: AuthUser, id: string): Promise<StreamWithKeyDto> {
    const s = await this.mustFind(id);
    this.assertOwner(user, s);
    if (s.status === 'ended') throw new ConflictError('The stream has ended', 'stream_ended');
    const streamKey = StreamsService.newKey();
    await this.streams.setKeyHash(id, hashStreamKey(streamKey));
    // An RTMP/SRT encoder publishing with the old key is dropped, on whichever replica it is.
    await this.pubsub.publish(STREAM_KEY_CHANNEL, { streamId: id } satisfies StreamKeyEvent);
    return { ...(await this.toOwnerDto(s)), streamKey };
  }

  /**
   * The stream an RTMP/SRT encoder's key belongs to, or null. Looked up by
   * the key's SHA-256 (a unique index); the stored hash is then compared in
   * constant time, as for WHIP.
   */
  async findByIngestKey(key: string): Promise<StreamEntity | null> {
    if (!key || key.length > 256) return null;
    const given = hashStreamKey(key);
    const found = await this.streams.findByKeyHash(given);
    if (!found || !timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(found.hash, 'hex'))) return null;
    return found.stream;
  }

  /** Checks a WHIP bearer token in constant time. */
  async verifyKey(id: string, key: string | undefined): Promise<StreamEntity> {
    const s = await this.mustFind(id);
    const stored = await this.streams.findKeyHash(id);
    const given = Buffer.from(hashStreamKey(key ?? ''), 'hex');
    if (!key || !stored || !timingSafeEqual(given, Buffer.from(stored, 'hex'))) {
      throw new UnauthorizedError('Wrong or missing stream key');
    }
    return s;
  }

  async end(user: AuthUser, id: string): Promise<StreamDto> {
    const s = await this.mustFind(id);
    this.assertOwner(user, s);
    return this.dto(await this.markEnded(id));
  }

  /**
   * A publisher is sending (any ingest): a created stream goes live; a live
   * stream waiting for its publisher resumes, the same stream (announced
   * `live` again, with `resumed` on the lifecycle channel). Refused with 409
   * when the stream has ended, or its grace passed before the publisher was
   * back (it is ended then).
   */
  async publisherConnected(id: string): Promise<{ stream: StreamEntity; resumed: boolean }> {
    const r = await this.streams.connect(id);
    if (!r) {
      const [expired] = await this.streams.expireGraces(id);
      if (expired) await this.announce(expired);
      throw new ConflictError(`Stream ${id} has ended; create a new stream to go live again`, 'stream_ended');
    }
    this.clearGrace(id);
    if (r.was === 'created') await this.announce(r.stream);
    if (r.was === 'reconnecting') {
      this.logger.log(`stream ${id}: its publisher is back; the stream goes on`);
      await this.announce(r.stream, true);
    }
    return { stream: r.stream, resumed: r.was === 'reconnecting' };
  }

  /** created → live, or a reconnect (see publisherConnected). */
  async markLive(id: string): Promise<StreamEntity> {
    return (await this.publisherConnected(id)).stream;
  }

  /**
   * The publisher of a live stream went away without the owner's End (its
   * connection lapsed, it closed, it sent WHIP DELETE, its media worker or
   * replica died): the stream waits `graceSeconds` for a publisher, then
   * ends. Waiting already, or not live: nothing changes. A grace of 0 ends it
   * at once.
   */
  async publisherLost(
    id: string,
    opts: { reason: PublisherLossReason; graceSeconds?: number },
  ): Promise<StreamEntity> {
    const grace = opts.graceSeconds ?? this.config.media.reconnectGraceSeconds;
    if (grace <= 0) {
      this.logger.log(`stream ${id} ends: ${opts.reason}`);
      return this.markEnded(id);
    }
    const deadline = await this.streams.lose(id, grace);
    if (deadline) {
      this.logger.log(`stream ${id}: publisher lost (${opts.reason}); waiting ${grace}s for it`);
      this.scheduleGrace(id, deadline);
      await this.rooms.reconnecting(id, deadline);
    }
    return this.mustFind(id);
  }

  private scheduleGrace(id: string, deadline: Date): void {
    this.clearGrace(id);
    const t = setTimeout(
      () => {
        this.graceTimers.delete(id);
        void this.expireGraces(id);
      },
      Math.max(0, deadline.getTime() - Date.now()) + 50,
    );
    t.unref();
    this.graceTimers.set(id, t);
  }

  private clearGrace(id: string): void {
    const t = this.graceTimers.get(id);
    if (t) clearTimeout(t);
    this.graceTimers.delete(id);
  }

  /** Ends (and announces) the streams whose grace is over: `id`'s only, or every one. */
  async expireGraces(id?: string): Promise<void> {
    try {
      for (const s of await this.streams.expireGraces(id)) {
        this.logger.log(`stream ${s.id} ends: its publisher did not come back in time`);
        this.clearGrace(s.id);
        await this.announce(s);
      }
    } catch (e) {
      this.logger.warn(`ending streams after their grace failed: ${(e as Error).message}`);
    }
  }

  /** created|live → ended (announced once); ending an ended stream changes nothing. */
  async markEnded(id: string): Promise<StreamEntity> {
    const s = await this.streams.transition(id, ['created', 'live'], 'ended');
    this.clearGrace(id);
    if (s) await this.announce(s);
    return s ?? this.mustFind(id);
  }

  /** The HLS worker closed (true) or removed (false) a stream's playlists. */
  async setReplayReady(id: string, ready: boolean): Promise<void> {
    await this.streams.setReplayReady(id, ready);
  }

  /** Live streams, for the sweeper that ends streams whose publisher vanished with its replica. */
  async liveStreams(): Promise<StreamEntity[]> {
    const [items] = await this.streams.list({ status: 'live', limit: 10_000, offset: 0 });
    return items;
  }
}
