import type { Provider } from '@nestjs/common';
import { ConfigError, EnvReader } from '../config/env';

/**
 * Live room and chat tuning, read once at boot from the environment (the
 * core AppConfig stays the foundation's). Every option with its default:
 */
export interface LiveConfig {
  /** CHAT_RATE_PER_SECOND (1): messages a user may send per second, sustained. */
  chatRatePerSecond: number;
  /** CHAT_RATE_BURST (5): messages a user may send at once before the rate applies. */
  chatBurst: number;
  /**
   * LIVE_PRESENCE_PERIOD_MS (10000): presence heartbeat. Each replica re-announces
   * its viewers once a period; a crashed replica's viewers age out within about
   * one period and a half.
   */
  presencePeriodMs: number;
  /** LIVE_VIEWERS_INTERVAL_MS (1000): how often the viewer count may be sent (at least 1 s). */
  viewersIntervalMs: number;
  /** LIVE_REACTION_WINDOW_MS (250): reactions are summed over windows of this length (at most 250). */
  reactionWindowMs: number;
  /** LIVE_REACTIONS_PER_SECOND (20): reactions one connection may send per second (bursts of twice that). */
  reactionsPerSecond: number;
  /** LIVE_STATS_FLUSH_MS (5000): how often peak/unique viewers and likes are written to stream_stats. */
  statsFlushMs: number;
  /**
   * LIVE_CHAT_BATCH_MS (50): in a big room, chat lines relayed within this window
   * leave as one `chat:messages` frame per viewer instead of one `chat:message`
   * each. Sending a frame to a socket costs the same whatever it carries, so this
   * is what lets one replica feed thousands of viewers (see ChatFanout). 0 turns batching off.
   */
  chatBatchMs: number;
  /**
   * LIVE_CHAT_BATCH_MIN_VIEWERS (250): rooms with fewer connections than this on
   * a replica are never batched: every line leaves at once as `chat:message`.
   */
  chatBatchMinViewers: number;
  /**
   * LIVE_FANOUT_CHUNK (500): a room event goes out to at most this many sockets
   * of a replica before the event loop gets a turn (see RoomEmitter).
   */
  fanoutChunk: number;
  /**
   * LIVE_DIRECT_WRITE (true): a room frame goes to each websocket with nothing
   * queued ahead as one write on its TCP socket, skipping engine.io's per-socket
   * bookkeeping (same bytes, ~40 % less server CPU per socket; see FrameWriter).
   * false: every frame goes through socket.io's own broadcast.
   */
  directWrite: boolean;
  /**
   * LIVE_MAX_CONNECTIONS_PER_IP (200): concurrent `/live` connections one client
   * address may hold on a replica; more are refused with the connect error
   * `too_many_connections: …`. 0 = no limit.
   */
  maxConnectionsPerIp: number;
  /**
   * LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP (20): anonymous viewers (device ids, or
   * connections without one) one address adds to a stream's viewer count on a
   * replica; further ones still watch but count together as one. 0 = no limit.
   */
  maxAnonymousViewersPerIp: number;
}

export const LIVE_CONFIG = Symbol('LIVE_CONFIG');

export function loadLiveConfig(env: NodeJS.ProcessEnv = process.env): LiveConfig {
  const r = new EnvReader(env);
  const c: LiveConfig = {
    chatRatePerSecond: r.int('CHAT_RATE_PER_SECOND', 1, 1, 1000),
    chatBurst: r.int('CHAT_RATE_BURST', 5, 1, 1000),
    presencePeriodMs: r.int('LIVE_PRESENCE_PERIOD_MS', 10_000, 500, 300_000),
    viewersIntervalMs: r.int('LIVE_VIEWERS_INTERVAL_MS', 1000, 1000, 60_000),
    reactionWindowMs: r.int('LIVE_REACTION_WINDOW_MS', 250, 10, 250),
    reactionsPerSecond: r.int('LIVE_REACTIONS_PER_SECOND', 20, 1, 1000),
    statsFlushMs: r.int('LIVE_STATS_FLUSH_MS', 5000, 100, 600_000),
    chatBatchMs: r.int('LIVE_CHAT_BATCH_MS', 50, 0, 250),
    chatBatchMinViewers: r.int('LIVE_CHAT_BATCH_MIN_VIEWERS', 250, 1, 1_000_000),
    fanoutChunk: r.int('LIVE_FANOUT_CHUNK', 500, 1, 1_000_000),
    directWrite: r.bool('LIVE_DIRECT_WRITE', true),
    maxConnectionsPerIp: r.int('LIVE_MAX_CONNECTIONS_PER_IP', 200, 0, 1_000_000),
    maxAnonymousViewersPerIp: r.int('LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP', 20, 0, 1_000_000),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return c;
}

export const liveConfigProvider: Provider = { provide: LIVE_CONFIG, useFactory: () => loadLiveConfig() };
