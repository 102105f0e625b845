import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { Namespace, Socket } from 'socket.io';
import type { ChatRoomContext } from '../chat/chat.service';
import { ChatService } from '../chat/chat.service';
import { ModerationService } from '../chat/moderation.service';
import type { VerifiedUser } from '../common/auth/roles';
import { RateLimitedError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, LiveConfig } from '../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { PUBSUB, STATE_STORE } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import type { StateStore } from '../infra/state-store';
import { StreamsService } from '../streams/streams.service';
import { roomChannel } from '../room/channels';
import { PIN_READER, type PinReader } from '../room/pin-reader';
import {
  ROOM_EVENTS,
  type ChatMessage,
  type ClientToServerEvents,
  type JoinRequest,
  type PinView,
  type ReactionKind,
  type RoomEvent,
  type RoomState,
  type ServerToClientEvents,
  type StreamFigures,
  type StreamState,
} from '../room/protocol';
import { ChatFanout } from './chat-fanout';
import { FrameWriter } from './frame-writer';
import { RoomEmitter } from './room-emitter';
import { ConnectionLimits } from './connection-limits';
import { LiveSessions } from './live-sessions';
import { NotInRoomError } from './live.errors';
import { Presence } from './presence';
import { ReactionAggregator, type ReactionCounts } from './reactions';
import { StreamStatsRepository, type StreamStats } from './stream-stats.repository';

/** What a socket of the `/live` namespace carries. */
export interface LiveSocketData {
  /** The signed-in user, for as long as their access token (see LiveSessions). */
  user?: VerifiedUser;
  room?: {
    streamId: string;
    /**
     * `u:<userId>`, `d:<deviceId>` or `s:<socketId>`, or `a:<address>` for anonymous viewers
     * beyond the per-address limit; null for the stream's owner (not a viewer).
     */
    viewerKey: string | null;
    /** Anonymous viewers: the client address their key is counted against (ConnectionLimits). */
    address?: string;
    staff: boolean;
  };
  reactionBucket?: { tokens: number; at: number };
}

// socket.io's fourth type parameter is the socket data; the third (server-side events) is unused.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type LiveNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, {}, LiveSocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, LiveSocketData>;

/** socket.io room names (per replica; every replica relays the room channel to its own sockets). */
export const viewersRoom = (streamId: string): string => `stream:${streamId}`;
export const staffRoom = (streamId: string): string => `staff:${streamId}`;

const RECENT = 50;
/** A room nobody is in is kept this long, so a reload or a flaky network does not reload it. */
const IDLE_CLOSE_MS = 10_000;
const LIKES_TTL_MS = 7 * 24 * 3600_000;
const PRESENCE_LEFT = 'live:presence-left';
/** Every event features publish on a room channel; this replica relays them to its sockets. */
const RELAYED = new Set<string>(Object.values(ROOM_EVENTS));

const likesKey = (streamId: string): string => `live:likes:${streamId}`;

/** One stream's room as this replica holds it. */
class LocalRoom {
  readonly sockets = new Set<string>();
  /** viewer key → sockets of that viewer on this replica. */
  readonly viewers = new Map<string, number>();
  recent: ChatMessage[] = [];
  pin: PinView | null = null;
  /** Events that arrived while the room was loading; applied once it has. */
  buffered: RoomEvent[] | null = [];
  lastViewers = -1;
  peak = 0;
  flushed: StreamStats = { peakViewers: 0, uniqueViewers: 0, likes: 0 };
  unsubscribe?: Unsubscribe;
  idleTimer?: NodeJS.Timeout;
  /** Set once the namespace is attached (see RoomService.fanoutFor). */
  chat?: ChatFanout;
  /** Every event to this room's sockets goes through it, in order (see RoomService.emitterFor). */
  emitter?: RoomEmitter;

  constructor(
    readonly streamId: string,
    readonly ownerId: string,
    readonly merchantId: string | null,
    public status: StreamState,
    public reconnectUntil: string | null,
  ) {}
}

function isRoomEvent(m: unknown): m is RoomEvent {
  if (typeof m !== 'object' || m === null) return false;
  const e = m as { event?: unknown; data?: unknown };
  return typeof e.event === 'string' && RELAYED.has(e.event) && typeof e.data === 'object' && e.data !== null;
}

/**
 * The live rooms of this replica: joins and leaves, unique-viewer presence,
 * reactions, and the relay of the room channel (chat, pins, stock, orders,
 * status) to the sockets in each room. Every replica subscribes to the
 * channel of each room it has sockets in and emits locally, so a message
 * published anywhere reaches every viewer exactly once.
 */
@Injectable()
export class RoomService implements OnModuleDestroy {
  private readonly logger = new Logger('LiveRoom');
  private readonly replicaId = randomUUID();
  private readonly rooms = new Map<string, Promise<LocalRoom>>();
  private readonly active = new Map<string, LocalRoom>();
  private readonly presence: Presence;
  private readonly reactions: ReactionAggregator;
  private ns?: LiveNamespace;
  /** Writes room frames to this replica's sockets (set with the namespace). */
  private frames?: FrameWriter;
  private timers: NodeJS.Timeout[] = [];
  private heartbeat?: NodeJS.Timeout;
  private unsubscribePresence?: Unsubscribe;
  private ticking = false;
  private closing = false;
  private readonly config: LiveConfig;

  constructor(
    private readonly streams: StreamsService,
    private readonly chat: ChatService,
    private readonly moderation: ModerationService,
    private readonly stats: StreamStatsRepository,
    private readonly sessions: LiveSessions,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) app: AppConfig,
    private readonly limits: ConnectionLimits,
    @Optional() @Inject(PIN_READER) private readonly pins?: PinReader,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.config = app.live;
    this.presence = new Presence(state, this.config.presencePeriodMs);
    this.reactions = new ReactionAggregator(this.config.reactionWindowMs, (id, counts) =>
      this.flushReactions(id, counts),
    );
  }

  /** Called by the gateway once the namespace exists: starts the tickers. */
  async attach(ns: LiveNamespace): Promise<void> {
    this.ns = ns;
    const writes = this.metrics
      ? new Counter({
          name: 'livecart_live_socket_writes_total',
          help: 'Room frames written to sockets, by path: direct (one TCP write) or socketio (engine.io queue)',
          labelNames: ['path'],
          registers: [this.metrics.registry],
        })
      : undefined;
    this.frames = new FrameWriter(ns, this.config.directWrite, (path, n) => writes?.inc({ path }, n));
    this.timers.push(
      setInterval(() => void this.tickViewers(), this.config.viewersIntervalMs),
      setInterval(() => void this.flushAllStats(), this.config.statsFlushMs),
    );
    this.scheduleHeartbeat();
    this.unsubscribePresence = await this.pubsub.subscribe(PRESENCE_LEFT, (m) => this.onPresenceLeft(m));
  }

  // ---- joining and leaving -------------------------------------------------------------

  async join(socket: LiveSocket, req: JoinRequest): Promise<RoomState> {
    if (req.token !== undefined) this.sessions.attach(socket, await this.sessions.authenticate(req.token));
    if (socket.data.room) await this.leave(socket);
    const room = await this.ensureRoom(req.streamId);
    if (!socket.connected) throw new NotInRoomError();
    const user = socket.data.user;
    const staff = ModerationService.isStaff(user, room);
    let viewerKey: string | null;
    let address: string | undefined;
    // Nobody watches an ended stream live: people on its page (the replay) are not counted.
    if (room.status === 'ended') viewerKey = null;
    else if (user) viewerKey = user.id === room.ownerId ? null : `u:${user.id}`;
    else {
      // Anonymous: one address counts as at most LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP viewers.
      address = this.limits.addressOf(socket);
      const own = req.deviceId ? `d:${req.deviceId}` : `s:${socket.id}`;
      viewerKey = this.limits.anonymousKey(room.streamId, address, own);
    }
    socket.data.room = { streamId: room.streamId, viewerKey, staff, address };
    room.sockets.add(socket.id);
    // The last messages as of joining; every later line arrives as a chat frame.
    this.fanoutFor(room).joined(socket.id);
    const messages = room.recent;
    await socket.join(
      staff ? [viewersRoom(room.streamId), staffRoom(room.streamId)] : viewersRoom(room.streamId),
    );
    if (viewerKey) {
      const n = room.viewers.get(viewerKey) ?? 0;
      room.viewers.set(viewerKey, n + 1);
      if (n === 0) await this.presence.add(room.streamId, viewerKey);
    }
    const [viewers, likes, policy] = await Promise.all([
      this.presence.count(room.streamId),
      this.likes(room.streamId),
      this.moderation.policy(room.streamId),
    ]);
    room.peak = Math.max(room.peak, viewers);
    const ended = room.status === 'ended';
    return {
      streamId: room.streamId,
      status: room.status,
      reconnectUntil: room.status === 'reconnecting' ? room.reconnectUntil : null,
      final: ended ? await this.figures(room, likes) : null,
      viewers: ended ? 0 : viewers,
      pinned: room.pin,
      messages,
      likes,
      staff,
      slowModeSeconds: policy.slowModeSeconds,
    };
  }

  async leave(socket: LiveSocket): Promise<void> {
    const joined = socket.data.room;
    if (!joined) return;
    socket.data.room = undefined;
    await Promise.all([socket.leave(viewersRoom(joined.streamId)), socket.leave(staffRoom(joined.streamId))]);
    await this.release(socket.id, joined);
  }

  /** A disconnected socket is already out of its socket.io rooms; only presence is left to do. */
  async disconnect(socket: LiveSocket): Promise<void> {
    const joined = socket.data.room;
    if (!joined || this.closing) return;
    socket.data.room = undefined;
    await this.release(socket.id, joined);
  }

  private async release(socketId: string, joined: NonNullable<LiveSocketData['room']>): Promise<void> {
    if (joined.address !== undefined && joined.viewerKey) {
      this.limits.releaseAnonymous(joined.streamId, joined.address, joined.viewerKey);
    }
    const room = this.active.get(joined.streamId);
    if (!room) return;
    room.sockets.delete(socketId);
    room.chat?.left(socketId);
    if (joined.viewerKey) {
      const n = (room.viewers.get(joined.viewerKey) ?? 1) - 1;
      if (n > 0) room.viewers.set(joined.viewerKey, n);
      else {
        room.viewers.delete(joined.viewerKey);
        await this.presence.remove(room.streamId, joined.viewerKey);
        // The same viewer may still be connected through another replica: it re-announces them.
        await this.pubsub.publish(PRESENCE_LEFT, {
          streamId: room.streamId,
          viewerKey: joined.viewerKey,
          from: this.replicaId,
        });
      }
    }
    if (room.sockets.size === 0 && !room.idleTimer) {
      room.idleTimer = setTimeout(() => void this.closeRoom(room), IDLE_CLOSE_MS);
    }
  }

  private onPresenceLeft(m: unknown): void {
    const { streamId, viewerKey, from } = (m ?? {}) as {
      streamId?: string;
      viewerKey?: string;
      from?: string;
    };
    if (from === this.replicaId || typeof streamId !== 'string' || typeof viewerKey !== 'string') return;
    const room = this.active.get(streamId);
    if (room?.viewers.has(viewerKey)) {
      this.presence.refresh(streamId, [viewerKey]).catch((e: unknown) => this.warn('presence refresh', e));
    }
  }

  /** The room context chat:send needs; throws when the socket has not joined. */
  chatContext(socket: LiveSocket): ChatRoomContext {
    const joined = socket.data.room;
    const room = joined && this.active.get(joined.streamId);
    if (!joined || !room) throw new NotInRoomError();
    return { streamId: room.streamId, status: room.status, staff: joined.staff };
  }

  // ---- reactions ---------------------------------------------------------------------

  react(socket: LiveSocket, kind: ReactionKind): void {
    const joined = socket.data.room;
    if (!joined || !this.active.has(joined.streamId)) throw new NotInRoomError();
    // Per connection, in memory: a token bucket of `reactionsPerSecond`, bursts of twice that.
    const rate = this.config.reactionsPerSecond;
    const now = Date.now();
    const b = socket.data.reactionBucket ?? { tokens: rate * 2, at: now };
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    socket.data.reactionBucket = b;
    if (b.tokens < 1) throw new RateLimitedError('Too many reactions; slow down', (1 - b.tokens) / rate);
    b.tokens -= 1;
    this.reactions.add(joined.streamId, kind);
  }

  private flushReactions(streamId: string, counts: ReactionCounts): void {
    const likes = counts.like ?? 0;
    void (async () => {
      try {
        if (likes > 0) await this.state.incrBy(likesKey(streamId), likes, LIKES_TTL_MS);
        await this.pubsub.publish(roomChannel(streamId), {
          event: ROOM_EVENTS.reactions,
          data: { counts: counts },
        } satisfies RoomEvent);
      } catch (e) {
        this.warn('reactions flush', e);
      }
    })();
  }

  private async likes(streamId: string): Promise<number> {
    const stored = Number((await this.state.get(likesKey(streamId))) ?? 0);
    return stored + this.reactions.pendingLikes(streamId);
  }

  // ---- rooms -------------------------------------------------------------------------

  private ensureRoom(streamId: string): Promise<LocalRoom> {
    const existing = this.rooms.get(streamId);
    if (existing) {
      const room = this.active.get(streamId);
      if (room?.idleTimer) {
        clearTimeout(room.idleTimer);
        room.idleTimer = undefined;
      }
      return existing;
    }
    const p = this.openRoom(streamId);
    this.rooms.set(streamId, p);
    p.catch(() => this.rooms.delete(streamId));
    return p;
  }

  private async openRoom(streamId: string): Promise<LocalRoom> {
    const s = await this.streams.mustFind(streamId);
    const room = new LocalRoom(
      s.id,
      s.ownerId,
      s.merchantId,
      StreamsService.stateOf(s),
      s.reconnectDeadline?.toISOString() ?? null,
    );
    // Subscribe before loading, so nothing published in between is lost.
    room.unsubscribe = await this.pubsub.subscribe(roomChannel(streamId), (m) => this.onRoomEvent(room, m));
    try {
      const [recent, pin, stats] = await Promise.all([
        this.chat.recent(streamId, RECENT),
        this.pins ? this.pins.current(streamId) : Promise.resolve(null),
        this.stats.get(streamId),
      ]);
      room.recent = recent;
      room.pin = pin;
      if (stats) {
        room.flushed = stats;
        room.peak = stats.peakViewers;
        // After a restart of the one-node default the counter is gone; carry the stored total on.
        await this.state.setIfAbsent(likesKey(streamId), String(stats.likes), LIKES_TTL_MS);
      }
    } catch (e) {
      await room.unsubscribe();
      throw e;
    }
    const buffered = room.buffered ?? [];
    room.buffered = null;
    for (const ev of buffered) this.apply(room, ev);
    this.active.set(streamId, room);
    return room;
  }

  private async closeRoom(room: LocalRoom): Promise<void> {
    room.idleTimer = undefined;
    if (room.sockets.size > 0 || this.active.get(room.streamId) !== room) return;
    this.active.delete(room.streamId);
    this.rooms.delete(room.streamId);
    room.chat?.close();
    try {
      await room.unsubscribe?.();
      await this.flushStats(room);
    } catch (e) {
      this.warn('close room', e);
    }
  }

  // ---- the relay -----------------------------------------------------------------------

  private onRoomEvent(room: LocalRoom, m: unknown): void {
    if (!isRoomEvent(m)) return;
    if (room.buffered) {
      room.buffered.push(m);
      return;
    }
    this.apply(room, m);
    if (!this.ns) return;
    if (m.event === ROOM_EVENTS.chatMessage) {
      this.fanoutFor(room).push(m.data, this.batching(room));
      return;
    }
    // Keep the order: a line goes out to everyone before its deletion.
    if (m.event === ROOM_EVENTS.chatDeleted) void room.chat?.flush();
    const target = m.staffOnly ? staffRoom(room.streamId) : viewersRoom(room.streamId);
    // Local only: every replica relays the channel to its own sockets.
    void this.emitterFor(room).emit(target, m.event, m.data);
  }

  /**
   * Big rooms batch chat: at most one frame per viewer per window (see
   * LIVE_CHAT_BATCH_MS), since a frame costs a syscall per socket whatever it carries.
   */
  private batching(room: LocalRoom): boolean {
    return this.config.chatBatchMs > 0 && room.sockets.size >= this.config.chatBatchMinViewers;
  }

  /** The room's chat delivery; it emits locally: every replica relays the channel to its own sockets. */
  private fanoutFor(room: LocalRoom): ChatFanout {
    room.chat ??= new ChatFanout(this.config.chatBatchMs, {
      each: (write) => this.emitterFor(room).each(viewersRoom(room.streamId), write),
      emit: (ids, event, data) => this.frames?.emit(ids, event, data),
    });
    return room.chat;
  }

  /** The room's ordered, chunked delivery to its sockets on this replica. */
  private emitterFor(room: LocalRoom): RoomEmitter {
    room.emitter ??= new RoomEmitter(
      {
        members: (name) => this.ns?.adapter.rooms.get(name),
        // Every room frame goes through FrameWriter: one encoding per call, the same ready
        // frame to every socket.
        emit: (ids, event, data) => this.frames?.emit(ids, event, data),
      },
      this.config.fanoutChunk,
      (e) => this.warn('room emit', e),
    );
    return room.emitter;
  }

  /** Keeps this replica's copy of the room (for room:state) in step with the events. */
  private apply(room: LocalRoom, ev: RoomEvent): void {
    switch (ev.event) {
      case ROOM_EVENTS.chatMessage:
        if (!room.recent.some((x) => x.id === ev.data.id)) {
          room.recent = [...room.recent, ev.data].slice(-RECENT);
        }
        break;
      case ROOM_EVENTS.chatDeleted:
        room.recent = room.recent.filter((x) => x.id !== ev.data.id);
        break;
      case ROOM_EVENTS.productPinned:
        room.pin = ev.data.pin;
        break;
      case ROOM_EVENTS.productUnpinned:
        if (room.pin?.pinId === ev.data.pinId) room.pin = null;
        break;
      case ROOM_EVENTS.stock:
        if (room.pin?.productId === ev.data.productId)
          room.pin = { ...room.pin, remaining: ev.data.remaining };
        break;
      case ROOM_EVENTS.streamStatus:
        room.status = ev.data.status;
        room.reconnectUntil = ev.data.reconnectUntil ?? null;
        if (ev.data.status === 'ended')
          void this.flushStats(room).catch((e: unknown) => this.warn('stats', e));
        break;
      default:
        break;
    }
  }

  // ---- tickers -------------------------------------------------------------------------

  /** At most once per interval: the viewer count of each room, sent when it changed. */
  private async tickViewers(): Promise<void> {
    if (this.ticking || this.closing || !this.ns) return;
    this.ticking = true;
    try {
      for (const room of this.active.values()) {
        if (room.sockets.size === 0 || room.status === 'ended') continue;
        const count = await this.presence.count(room.streamId);
        room.peak = Math.max(room.peak, count);
        if (count !== room.lastViewers) {
          room.lastViewers = count;
          void this.emitterFor(room).emit(viewersRoom(room.streamId), ROOM_EVENTS.viewers, { count });
        }
      }
    } catch (e) {
      this.warn('viewers tick', e);
    } finally {
      this.ticking = false;
    }
  }

  /** Shortly before each presence period starts, announce this replica's viewers in it. */
  private scheduleHeartbeat(after?: number): void {
    if (this.closing) return;
    const { period, inMs } = this.presence.nextAnnouncement(after);
    this.heartbeat = setTimeout(() => {
      void (async () => {
        try {
          await Promise.all(
            [...this.active.values()].map((r) => this.presence.refresh(r.streamId, r.viewers.keys(), period)),
          );
        } catch (e) {
          this.warn('presence heartbeat', e);
        }
        this.scheduleHeartbeat(period);
      })();
    }, inMs);
  }

  private async flushAllStats(): Promise<void> {
    for (const room of this.active.values()) {
      await this.flushStats(room).catch((e: unknown) => this.warn('stats', e));
    }
  }

  /** An ended stream's audience: what stream_stats holds, or more if this replica saw more. */
  private async figures(room: LocalRoom, likes: number): Promise<StreamFigures> {
    const stored = (await this.stats.get(room.streamId)) ?? room.flushed;
    return {
      peakViewers: Math.max(stored.peakViewers, room.peak),
      uniqueViewers: Math.max(stored.uniqueViewers, await this.presence.uniqueTotal(room.streamId)),
      likes: Math.max(stored.likes, likes),
    };
  }

  /** Writes peak, unique total and likes when any of them grew. */
  private async flushStats(room: LocalRoom): Promise<void> {
    const [unique, likes] = await Promise.all([
      this.presence.uniqueTotal(room.streamId),
      this.state.get(likesKey(room.streamId)),
    ]);
    const next: StreamStats = {
      peakViewers: Math.max(room.peak, room.flushed.peakViewers),
      uniqueViewers: Math.max(unique, room.flushed.uniqueViewers),
      likes: Math.max(Number(likes ?? 0), room.flushed.likes),
    };
    const f = room.flushed;
    if (
      next.peakViewers === f.peakViewers &&
      next.uniqueViewers === f.uniqueViewers &&
      next.likes === f.likes
    ) {
      return;
    }
    await this.stats.raise(room.streamId, next);
    room.flushed = next;
  }

  private warn(what: string, e: unknown): void {
    this.logger.warn(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** Shutdown: stop the tickers, write the numbers, and take this replica's viewers out at once. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    if (this.heartbeat) clearTimeout(this.heartbeat);
    this.reactions.close();
    await this.unsubscribePresence?.();
    for (const room of this.active.values()) {
      if (room.idleTimer) clearTimeout(room.idleTimer);
      room.chat?.close();
      try {
        await this.flushStats(room);
        for (const key of room.viewers.keys()) await this.presence.remove(room.streamId, key);
        await room.unsubscribe?.();
      } catch (e) {
        this.warn('shutdown', e);
      }
    }
    this.active.clear();
    this.rooms.clear();
  }
}
