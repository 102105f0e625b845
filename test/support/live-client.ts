import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  ErrorReply,
  RoomState,
  ServerToClientEvents,
} from '../../src/room/protocol';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

function open(baseUrl: string, token?: string, forwardedFor?: string): LiveClient {
  return io(`${baseUrl}/live`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: token ? { token } : {},
    extraHeaders: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
}

function connected(socket: LiveClient): Promise<LiveClient> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => reject(e));
  });
}

/**
 * A socket.io client on `/live` over websocket, signed in when a token is given;
 * `forwardedFor` connects as that address behind a proxy on this host.
 */
export function connect(baseUrl: string, token?: string, forwardedFor?: string): Promise<LiveClient> {
  return connected(open(baseUrl, token, forwardedFor));
}

/** The sockets a test opens, refused ones included, disconnected together after it. */
export class LiveClients {
  private readonly opened: LiveClient[] = [];

  connect(baseUrl: string, token?: string, forwardedFor?: string): Promise<LiveClient> {
    const socket = open(baseUrl, token, forwardedFor);
    this.opened.push(socket);
    return connected(socket);
  }

  disconnectAll(): void {
    for (const s of this.opened.splice(0)) s.disconnect();
  }
}

/** Emits an event and resolves with its ack (fails after 5 s without one). */
export function ask<T = unknown>(socket: LiveClient, event: string, payload?: unknown): Promise<T> {
  return (
    socket.timeout(5000) as unknown as { emitWithAck(ev: string, p?: unknown): Promise<T> }
  ).emitWithAck(event, payload);
}

export async function join(
  socket: LiveClient,
  streamId: string,
  extra: { deviceId?: string; token?: string } = {},
): Promise<RoomState> {
  const res = await ask<RoomState | ErrorReply>(socket, 'join', { streamId, ...extra });
  if ('error' in res) throw new Error(`join failed: ${res.error.code}: ${res.error.message}`);
  return res;
}

/** Collects every payload of one server event. */
export function record<T = unknown>(socket: LiveClient, event: string): T[] {
  const got: T[] = [];
  (socket as unknown as { on(ev: string, f: (p: T) => void): void }).on(event, (p: T) => got.push(p));
  return got;
}

/** Waits for the next payload of an event that satisfies `match` (fails after `ms`). */
export function next<T = unknown>(
  socket: LiveClient,
  event: string,
  match: (p: T) => boolean = () => true,
  ms = 5000,
): Promise<T> {
  const s = socket as unknown as {
    on(ev: string, f: (p: T) => void): void;
    off(ev: string, f: (p: T) => void): void;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, handler);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const handler = (p: T) => {
      if (!match(p)) return;
      clearTimeout(timer);
      s.off(event, handler);
      resolve(p);
    };
    s.on(event, handler);
  });
}
