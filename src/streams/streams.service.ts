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
    return { ...this.toDto(s), streamKey };
  }

  async get(id: string): Promise<StreamDto> {
    return this.toDto(await this.mustFind(id));
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
    return { ...this.toDto(s), streamKey };
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
