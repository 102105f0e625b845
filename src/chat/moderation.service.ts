import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { UsersRepository } from '../auth/users.repository';
import type { AuthUser } from '../common/auth/roles';
import { ForbiddenError, NotFoundError, UnprocessableError } from '../common/errors/domain-errors';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import { ROOM_EVENTS } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import type { StreamEntity } from '../streams/stream.entity';
import { StreamsService } from '../streams/streams.service';
import type { SanctionKind } from './chat-sanction.entity';
import { normalizeWords, wordMatcher } from './chat-text';
import { ChatRepository } from './chat.repository';
import { ChatBannedError, ChatMutedError } from './chat.errors';
import type { ModerationDto, ModerationResultDto } from './dto/chat.dto';
import { ModerationRepository } from './moderation.repository';

/** What the hot path of chat:send needs to know about a stream's rules. */
export interface ChatPolicy {
  slowModeSeconds: number;
  words: string[];
  hides(text: string): boolean;
}

/** Replicas drop cached rules and sanctions when a moderator changes them. */
const POLICY_CHANNEL = 'chat:policy';
/** Safety net when an invalidation is lost: cached rules live at most this long. */
const CACHE_MS = 5000;
const CACHE_MAX = 50_000;

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

/**
 * Moderation by the stream owner or an admin, and the cached view of a
 * stream's rules and sanctions that chat:send checks on every message
 * (one Postgres read per stream or user per few seconds, not per message).
 */
@Injectable()
export class ModerationService implements OnModuleInit, OnModuleDestroy {
  private readonly policies = new Map<string, Cached<ChatPolicy>>();
  private readonly sanctions = new Map<string, Cached<{ kind: SanctionKind; until: Date | null }[]>>();
  private unsubscribe?: Unsubscribe;

  constructor(
    private readonly repo: ModerationRepository,
    private readonly chat: ChatRepository,
    private readonly streams: StreamsService,
    private readonly users: UsersRepository,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    private readonly rooms: RoomPublisher,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(POLICY_CHANNEL, (m) => {
      const { streamId, userId } = (m ?? {}) as { streamId?: string; userId?: string };
      if (typeof streamId !== 'string') return;
      if (typeof userId === 'string') this.sanctions.delete(`${streamId}:${userId}`);
      else this.policies.delete(streamId);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.unsubscribe?.();
  }

  private cached<T>(map: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = map.get(key);
    if (hit && now - hit.at < CACHE_MS) return hit.value;
    if (map.size >= CACHE_MAX) map.clear();
    const value = load();
    map.set(key, { at: now, value });
    value.catch(() => map.delete(key));
    return value;
  }

  policy(streamId: string): Promise<ChatPolicy> {
    return this.cached(this.policies, streamId, async () => {
      const s = await this.repo.getSettings(streamId);
      return {
        slowModeSeconds: s.slowModeSeconds,
        words: s.blockedWords,
        hides: wordMatcher(s.blockedWords),
      };
    });
  }

  /** Throws ChatBannedError or ChatMutedError when the user may not chat in this stream now. */
  async assertMayChat(streamId: string, userId: string): Promise<void> {
    const list = await this.cached(this.sanctions, `${streamId}:${userId}`, () =>
      this.repo.activeSanctions(streamId, userId),
    );
    const now = Date.now();
    if (list.some((s) => s.kind === 'ban')) throw new ChatBannedError();
    const mute = list.find((s) => s.kind === 'mute' && s.until && s.until.getTime() > now);
    if (mute?.until) throw new ChatMutedError(mute.until, now);
  }

  /** Owner, merchant or admin: may moderate here and is exempt from slow mode. */
  static isStaff(user: AuthUser | undefined, s: Pick<StreamEntity, 'ownerId' | 'merchantId'>): boolean {
    if (!user) return false;
    return user.id === s.ownerId || user.id === s.merchantId || user.roles.includes('admin');
  }

  async moderate(actor: AuthUser, streamId: string, dto: ModerationDto): Promise<ModerationResultDto> {
    const stream = await this.streams.mustFind(streamId);
    if (stream.ownerId !== actor.id && !actor.roles.includes('admin')) {
      throw new ForbiddenError("Only the stream's owner or an admin can moderate its chat");
    }
    switch (dto.action) {
      case 'delete': {
        const id = dto.messageId!;
        if (!(await this.chat.exists(streamId, id))) throw new NotFoundError('Message', id);
        if (await this.chat.softDelete(streamId, id, actor.id)) {
          await this.rooms.publish(streamId, { event: ROOM_EVENTS.chatDeleted, data: { id } });
        }
        return { action: 'delete', messageId: id };
      }
      case 'mute':
      case 'ban':
      case 'unmute':
      case 'unban': {
        const userId = dto.userId!;
        const target = await this.users.findById(userId);
        if (!target) throw new NotFoundError('User', userId);
        const kind: SanctionKind = dto.action === 'mute' || dto.action === 'unmute' ? 'mute' : 'ban';
        let until: Date | null = null;
        if (dto.action === 'mute' || dto.action === 'ban') {
          if (userId === stream.ownerId) {
            throw new UnprocessableError(
              "The stream's owner cannot be muted or banned in their own chat",
              'cannot_moderate_owner',
            );
          }
          until = dto.action === 'mute' ? new Date(Date.now() + dto.minutes! * 60_000) : null;
          await this.repo.putSanction({ streamId, userId, kind, until, createdBy: actor.id });
        } else {
          await this.repo.removeSanction(streamId, userId, kind);
        }
        await this.invalidate(streamId, userId);
        return { action: dto.action, userId, until: until?.toISOString() ?? null };
      }
      case 'slow-mode': {
        const s = await this.repo.updateSettings(streamId, { slowModeSeconds: dto.seconds! });
        await this.invalidate(streamId);
        // Viewers already in the room learn it at once (new ones get it in room:state).
        await this.rooms.publish(streamId, {
          event: ROOM_EVENTS.chatSlowMode,
          data: { slowModeSeconds: s.slowModeSeconds },
        });
        return { action: 'slow-mode', slowModeSeconds: s.slowModeSeconds };
      }
      case 'words': {
        const s = await this.repo.updateSettings(streamId, { blockedWords: normalizeWords(dto.words!) });
        await this.invalidate(streamId);
        return { action: 'words', words: s.blockedWords };
      }
    }
  }

  /** The current rules of a stream, as its moderators see them. */
  async settings(streamId: string): Promise<{ slowModeSeconds: number; words: string[] }> {
    const s = await this.repo.getSettings(streamId);
    return { slowModeSeconds: s.slowModeSeconds, words: s.blockedWords };
  }

  private async invalidate(streamId: string, userId?: string): Promise<void> {
    // Local first, so the moderator's own replica applies it before the reply.
    if (userId) this.sanctions.delete(`${streamId}:${userId}`);
    else this.policies.delete(streamId);
    await this.pubsub.publish(POLICY_CHANNEL, { streamId, userId });
  }
}
