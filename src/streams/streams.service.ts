import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
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
import type { StreamLifecycleEvent } from '../room/channels';
import type { StreamStatus } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import type { StreamDto, StreamPageDto, StreamWithKeyDto } from './dto/stream.dto';
import type { StreamEntity } from './stream.entity';
import { StreamsRepository } from './streams.repository';

export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class StreamsService {
  constructor(
    private readonly streams: StreamsRepository,
    private readonly users: UsersRepository,
    private readonly links: MerchantLinksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rooms: RoomPublisher,
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

  toDto(s: StreamEntity, names: Map<string, string> = new Map()): StreamDto {
    const base = this.config.http.publicUrl;
    return {
      id: s.id,
      title: s.title,
      status: s.status,
      ownerId: s.ownerId,
      merchantId: s.merchantId,
      shop: s.merchantId ? { id: s.merchantId, name: names.get(s.merchantId) ?? '' } : null,
      whipUrl: `${base}/whip/${s.id}`,
      whepUrl: `${base}/whep/${s.id}`,
      hlsUrl: `${base}/hls/${s.id}/master.m3u8`,
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
    return { ...(await this.dto(s)), streamKey };
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

  async get(id: string): Promise<StreamDto> {
    return this.dto(await this.mustFind(id));
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
    return { ...(await this.dto(s)), streamKey };
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
