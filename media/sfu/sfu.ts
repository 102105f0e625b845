import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { DEFAULT_MEDIA_CODECS } from '../sdp';
import { MediaUnavailableError, SessionNotFoundError, StreamNotLiveError } from './errors';
import { PendingSessions } from './pending-sessions';
import {
  StreamRoom,
  type GoneReason,
  type PlainPublisher,
  type PlainPublishSpec,
  type RoomTransportOptions,
} from './stream-room';
import type { ContainerSource } from './plain-output';
import { WorkerPool } from './worker-pool';

/** SFU settings; defaults work on localhost. */
export interface SfuOptions extends RoomTransportOptions {
  numWorkers: number;
  logLevel: types.WorkerLogLevel;
  /** Address WebRTC listens on, and the one ICE candidates announce (behind NAT). */
  listenIp: string;
  announcedAddress?: string;
  /** Worker i takes WebRTC on this port + i, UDP and TCP (0: any free port). */
  rtcPort: number;
  /** Sessions answered but not connected yet, per stream and per client (0: no limit). */
  maxPending?: { perStream: number; perClient: number };
}

export interface SfuEvents {
  /** A publisher left without DELETE, or its worker died: the app ends or holds the stream. */
  publisherGone: [streamId: string, reason: GoneReason];
  workerDied: [info: { pid: number; error: Error; routers: number }];
}

/**
 * The selective forwarding unit: one StreamRoom per live stream, placed on
 * the least-loaded mediasoup worker. WHIP publish and WHEP view go through
 * here; HLS workers take plain RTP from `roomOf(streamId).router`.
 */
export class Sfu extends EventEmitter<SfuEvents> {
  private readonly rooms = new Map<string, StreamRoom>();
  /** Room creation in flight, so two racing publishes share one router. */
  private readonly creating = new Map<string, Promise<StreamRoom>>();

  private readonly pending: PendingSessions;

  private constructor(
    private readonly pool: WorkerPool,
    private readonly opts: SfuOptions,
  ) {
    super();
    this.pending = new PendingSessions({
      perStream: opts.maxPending?.perStream ?? 0,
      perClient: opts.maxPending?.perClient ?? 0,
      retryAfterSeconds: opts.connectTimeout,
    });
  }

  static async create(opts: SfuOptions): Promise<Sfu> {
    // The pool reports deaths through a holder: the Sfu exists only once the pool does.
    const holder: { sfu?: Sfu } = {};
    const pool = await WorkerPool.create({
      numWorkers: opts.numWorkers,
      logLevel: opts.logLevel,
      onWorkerDied: (info) => holder.sfu?.emit('workerDied', info),
      webRtc: { listenIp: opts.listenIp, announcedAddress: opts.announcedAddress, port: opts.rtcPort },
    });
    holder.sfu = new Sfu(pool, opts);
    return holder.sfu;
  }

  private async roomFor(streamId: string): Promise<StreamRoom> {
    const existing = this.rooms.get(streamId);
    if (existing && !existing.closed) return existing;
    const pending = this.creating.get(streamId);
    if (pending) return pending;
    const p = (async () => {
      const router = await this.pool.createRouter([
        ...DEFAULT_MEDIA_CODECS,
      ] as types.RouterRtpCodecCapability[]);
      const server = this.pool.webRtcServerOf(router);
      if (!server) {
        router.close();
        throw new MediaUnavailableError('The media worker of this stream has no WebRTC server');
      }
      const room = new StreamRoom(streamId, router, this.opts, server, this.pending);
      room.on('publisherGone', (reason) => {
        room.close();
        this.emit('publisherGone', streamId, reason);
      });
      room.on('closed', () => {
        if (this.rooms.get(streamId) === room) this.rooms.delete(streamId);
      });
      this.rooms.set(streamId, room);
      return room;
    })();
    this.creating.set(streamId, p);
    try {
      return await p;
    } finally {
      this.creating.delete(streamId);
    }
  }

  /** WHIP publish. Throws PublisherExistsError (409) when the stream has a publisher. */
  async publish(streamId: string, offerSdp: string): Promise<{ sessionId: string; answer: string }> {
    const room = await this.roomFor(streamId);
    try {
      return await room.publish(offerSdp);
    } catch (e) {
      // A room that never got a publisher holds a router for nothing.
      if (!room.publisherSessionId) room.close();
      throw e;
    }
  }

  /**
   * A plain RTP publisher (RTMP/SRT ingest's ffmpeg) for a stream. Throws
   * PublisherExistsError when the stream already has a publisher.
   */
  async publishPlain(
    streamId: string,
    spec: PlainPublishSpec,
    source?: ContainerSource,
  ): Promise<PlainPublisher> {
    const room = await this.roomFor(streamId);
    try {
      return await room.publishPlain(spec, source);
    } catch (e) {
      if (!room.publisherSessionId) room.close();
      throw e;
    }
  }

  /** Ends a publisher session (WHIP DELETE) and the room with it. */
  unpublish(streamId: string, sessionId?: string): void {
    const room = this.rooms.get(streamId);
    if (!room || (sessionId !== undefined && room.publisherSessionId !== sessionId)) {
      throw new SessionNotFoundError(sessionId ?? streamId);
    }
    room.close();
  }

  /** Closes a stream's room if it has one (stream ended by its owner or by a timeout). */
  closeStream(streamId: string): void {
    this.rooms.get(streamId)?.close();
  }

  isPublishing(streamId: string): boolean {
    return this.rooms.get(streamId)?.publisherSessionId !== undefined;
  }

  publisherSessionId(streamId: string): string | undefined {
    return this.rooms.get(streamId)?.publisherSessionId;
  }

  /** WHEP view; `client` (the viewer's address) is what its connecting sessions are counted by. */
  async view(
    streamId: string,
    offerSdp: string,
    client?: string,
  ): Promise<{ sessionId: string; answer: string }> {
    const room = this.rooms.get(streamId);
    if (!room || !room.publisherSessionId) throw new StreamNotLiveError(streamId);
    return room.addViewer(offerSdp, client);
  }

  /** Sessions of a client and of a stream that are answered but not connected (for tests). */
  pendingOf(q: { client?: string; streamId?: string }): number {
    return q.client !== undefined ? this.pending.ofClient(q.client) : this.pending.ofStream(q.streamId ?? '');
  }

  stopViewing(streamId: string, sessionId: string): void {
    const room = this.rooms.get(streamId);
    if (!room) throw new SessionNotFoundError(sessionId);
    room.closeViewer(sessionId);
  }

  room(streamId: string): StreamRoom | undefined {
    return this.rooms.get(streamId);
  }

  stats(): { workers: ReturnType<WorkerPool['stats']>; rooms: number; viewers: number } {
    let viewers = 0;
    for (const r of this.rooms.values()) viewers += r.viewerCount;
    return { workers: this.pool.stats(), rooms: this.rooms.size, viewers };
  }

  /** The pid of the mediasoup worker that hosts a stream's room. */
  workerPidOf(streamId: string): number | undefined {
    const room = this.rooms.get(streamId);
    return room ? this.pool.pidOf(room.router) : undefined;
  }

  get workerPool(): WorkerPool {
    return this.pool;
  }

  assertHealthy(): void {
    if (this.pool.size === 0) throw new MediaUnavailableError('No mediasoup worker is running');
  }

  close(): void {
    for (const r of [...this.rooms.values()]) r.close();
    this.rooms.clear();
    this.pool.close();
  }
}
