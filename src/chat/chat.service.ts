import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import { ConflictError, RateLimitedError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, LiveConfig } from '../config/config';
import { STATE_STORE } from '../infra/infra.module';
import type { StateStore } from '../infra/state-store';
import { ROOM_EVENTS, type ChatMessage } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import { StreamsService } from '../streams/streams.service';
import { cleanChatText } from './chat-text';
import { ChatRepository } from './chat.repository';
import { SlowModeError } from './chat.errors';
import type { ChatPageDto } from './dto/chat.dto';
import { ModerationService } from './moderation.service';

/** What chat:send knows about the room the socket is in. */
export interface ChatRoomContext {
  streamId: string;
  status: 'created' | 'live' | 'reconnecting' | 'ended';
  /** Owner, merchant or admin: exempt from slow mode. */
  staff: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Chat: checks a message (text, rate, sanctions, slow mode, word list),
 * stores it in Postgres and publishes it on the room channel, from which
 * every replica relays it to its sockets.
 */
@Injectable()
export class ChatService {
  private readonly config: LiveConfig;

  constructor(
    private readonly repo: ChatRepository,
    private readonly moderation: ModerationService,
    private readonly streams: StreamsService,
    private readonly rooms: RoomPublisher,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) app: AppConfig,
  ) {
    this.config = app.live;
  }

  async send(
    user: AuthUser,
    room: ChatRoomContext,
    rawText: unknown,
  ): Promise<{ ok: true; message: ChatMessage; hidden?: boolean }> {
    const text = cleanChatText(rawText);
    // The bucket is per user across streams and replicas: tabs and rooms do not multiply it.
    const waitMs = await this.state.takeToken(
      `chat:rate:${user.id}`,
      this.config.chatBurst,
      this.config.chatRatePerSecond,
    );
    if (waitMs > 0) {
      const s = Math.max(0.1, Math.round(waitMs / 100) / 10);
      throw new RateLimitedError(`You are sending messages too fast; try again in ${s} s`, waitMs / 1000);
    }
    if (room.status === 'ended')
      throw new ConflictError('The stream has ended; its chat is closed', 'stream_ended');
    await this.moderation.assertMayChat(room.streamId, user.id);
    const policy = await this.moderation.policy(room.streamId);
    if (policy.slowModeSeconds > 0 && !room.staff) {
      const first = await this.state.setIfAbsent(
        `chat:slow:${room.streamId}:${user.id}`,
        '1',
        policy.slowModeSeconds * 1000,
      );
      if (!first) throw new SlowModeError(policy.slowModeSeconds);
    }
    const hidden = policy.hides(text);
    const message = await this.repo.insert({
      id: randomUUID(),
      streamId: room.streamId,
      userId: user.id,
      userName: user.name,
      text,
      hidden,
    });
    if (hidden) return { ok: true, message, hidden: true };
    // Stored either way: if the publish fails, the sender still gets its ack and history has it.
    await this.rooms.publish(room.streamId, { event: ROOM_EVENTS.chatMessage, data: message });
    return { ok: true, message };
  }

  /** The newest visible messages of a stream (room:state), oldest first. */
  recent(streamId: string, limit = 50): Promise<ChatMessage[]> {
    return this.repo.page(streamId, { limit });
  }

  async history(streamId: string, q: { before?: string; limit?: number }): Promise<ChatPageDto> {
    await this.streams.mustFind(streamId);
    const limit = q.limit ?? 50;
    const before = q.before;
    const items = await this.repo.page(streamId, {
      limit,
      beforeId: before && UUID.test(before) ? before : undefined,
      beforeTime: before && !UUID.test(before) ? new Date(before) : undefined,
    });
    return { items, nextBefore: items.length === limit ? items[0].id : null };
  }
}
