import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  ErrorReply,
  RoomState,
  ServerToClientEvents,
} from '../../src/room/protocol';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client on `/live` over websocket, signed in when a token is given. */
export async function connect(baseUrl: string, token?: string): Promise<LiveClient> {
  const socket: LiveClient = io(`${baseUrl}/live`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: token ? { token } : {},
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  return socket;
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

/** Polls until `check` returns true (fails after `ms`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
