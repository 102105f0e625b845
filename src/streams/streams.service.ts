import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
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
import { PUBSUB } from '../infra/infra.module';
import type { PubSub } from '../infra/pubsub';
import { MerchantLinksService } from '../merchant/merchant-links.service';
import { STREAM_KEY_CHANNEL, type StreamKeyEvent, type StreamLifecycleEvent } from '../room/channels';
import { INGEST_STATUS_READER, type IngestStatusReader } from '../room/ingest-status';
import type { StreamStatus } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import type { StreamDto, StreamOwnerDto, StreamPageDto, StreamWithKeyDto } from './dto/stream.dto';
import type { StreamEntity } from './stream.entity';
import { StreamsRepository } from './streams.repository';

export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class StreamsService {
  private readonly logger = new Logger('Streams');

  constructor(
    private readonly streams: StreamsRepository,
    private readonly users: UsersRepository,
    private readonly links: MerchantLinksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rooms: RoomPublisher,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Optional() @Inject(INGEST_STATUS_READER) private readonly ingest?: IngestStatusReader,
  ) {}

  /** Tells every replica and the stream's room that the status changed. */
  private async announce(s: StreamEntity): Promise<void> {
    const lifecycle: StreamLifecycleEvent = {
      streamId: s.id,
      status: s.status,
      ownerId: s.ownerId,
      merchantId: s.merchantId,
    };
    await this.rooms.streamStatus(lifecycle);
  }

  toDto(s: StreamEntity): StreamDto {
    const base = this.config.http.publicUrl;
    return {
      id: s.id,
      title: s.title,
      status: s.status,
      ownerId: s.ownerId,
      merchantId: s.merchantId,
      whipUrl: `${base}/whip/${s.id}`,
      whepUrl: `${base}/whep/${s.id}`,
      hlsUrl: `${base}/hls/${s.id}/master.m3u8`,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
    };
  }

  /**
   * The owner's view: where an encoder publishes (RTMP, RTMPS, SRT; the key
   * is never part of a URL) and how the current RTMP/SRT encoder is doing.
   */
  async toOwnerDto(s: StreamEntity, withIngest = true): Promise<StreamOwnerDto> {
    const i = this.config.ingest;
    const host =
      i.publicHost.includes(':') && !i.publicHost.startsWith('[') ? `[${i.publicHost}]` : i.publicHost;
    let ingest = null;
    if (withIngest && this.ingest) {
      ingest = await this.ingest.get(s.id).catch((e: Error) => {
        this.logger.warn(`ingest status of ${s.id} unreadable: ${e.message}`);
        return null;
      });
    }
    return {
      ...this.toDto(s),
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

  async create(owner: AuthUser, input: { title: string; merchantId?: string }): Promise<StreamWithKeyDto> {
    if (input.merchantId) {
      const merchant = await this.users.findById(input.merchantId);
      if (!merchant?.roles.includes('merchant')) {
        throw new ValidationError(`merchantId ${input.merchantId} is not a merchant`);
      }
      await this.links.assertMayStreamFor(owner, input.merchantId);
    }
    const streamKey = StreamsService.newKey();
    const s = await this.streams.create({
      ownerId: owner.id,
      merchantId: input.merchantId ?? null,
      title: input.title,
      streamKeyHash: hashStreamKey(streamKey),
    });
    return { ...(await this.toOwnerDto(s, false)), streamKey };
  }

  /** The public view, or the owner's (an admin's) when `user` may see it. */
  async get(id: string, user?: AuthUser): Promise<StreamDto | StreamOwnerDto> {
    const s = await this.mustFind(id);
    if (user && (s.ownerId === user.id || user.roles.includes('admin'))) return this.toOwnerDto(s);
    return this.toDto(s);
  }

  async mustFind(id: string): Promise<StreamEntity> {
    const s = await this.streams.findById(id);
    if (!s) throw new NotFoundError('Stream', id);
    return s;
  }

  async list(q: {
    status?: StreamStatus;
    ownerId?: string;
    limit?: number;
    offset?: number;
  }): Promise<StreamPageDto> {
    const [items, total] = await this.streams.list({
      status: q.status,
      ownerId: q.ownerId,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    return { items: items.map((s) => this.toDto(s)), total };
  }

  private assertOwner(user: AuthUser, s: StreamEntity): void {
    if (s.ownerId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError('Only the streamer who owns this stream can do this');
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
    return this.toDto(await this.markEnded(id));
  }

  /** created → live (announced once); a live stream stays live (publisher reconnect). */
  async markLive(id: string): Promise<StreamEntity> {
    const s = await this.streams.transition(id, ['created'], 'live');
    if (!s) {
      const cur = await this.mustFind(id);
      if (cur.status === 'live') return cur;
      throw new ConflictError(`Stream ${id} has ended; create a new stream to go live again`, 'stream_ended');
    }
    await this.announce(s);
    return s;
  }

  /** created|live → ended (announced once); ending an ended stream changes nothing. */
  async markEnded(id: string): Promise<StreamEntity> {
    const s = await this.streams.transition(id, ['created', 'live'], 'ended');
    if (s) await this.announce(s);
    return s ?? this.mustFind(id);
  }

  /** Live streams, for the sweeper that ends streams whose publisher vanished with its replica. */
  async liveStreams(): Promise<StreamEntity[]> {
    const [items] = await this.streams.list({ status: 'live', limit: 10_000, offset: 0 });
    return items;
  }
}
