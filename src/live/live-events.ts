/**
 * The live room protocol, typed in one place (socket.io namespace `/live`).
 * Features publish room events on the PubSub channel `roomChannel(streamId)`;
 * the live gateway relays them to the sockets in that stream's room, on every
 * replica. Names are the wire names; payloads are JSON.
 */

export const LIVE_NAMESPACE = '/live';

/** PubSub channel carrying the events of one stream's room. */
export const roomChannel = (streamId: string): string => `room:${streamId}`;

export interface ChatUser {
  id: string;
  name: string;
}

export interface ChatMessage {
  id: string;
  user: ChatUser;
  text: string;
  /** ISO 8601 time the server accepted the message. */
  at: string;
}

/** A pinned product as viewers see it on the overlay. */
export interface PinView {
  pinId: string;
  streamId: string;
  productId: string;
  title: string;
  imageUrl: string | null;
  currency: string;
  priceCents: number;
  /** Present during a flash sale. */
  salePriceCents: number | null;
  /** Units left: of the sale while it runs, else of the product. */
  remaining: number;
  saleStock: number | null;
  perBuyerLimit: number | null;
  /** ISO time the sale ends (countdown), if any. */
  endsAt: string | null;
  /** ISO wall-clock time the streamer pinned it; HLS viewers show it when their video reaches this moment. */
  pinnedAt: string;
}

/** Server → client events and their payloads. */
export interface ServerToClientEvents {
  'room:state': (state: RoomState) => void;
  'chat:message': (msg: ChatMessage) => void;
  'chat:deleted': (p: { id: string }) => void;
  /**
   * A moderator changed slow mode: from now on a viewer must wait this many
   * seconds between two messages (0 = off; staff are exempt). Same value as
   * `slowModeSeconds` in room:state, pushed to everyone already in the room.
   */
  'chat:slow-mode': (p: { slowModeSeconds: number }) => void;
  viewers: (p: { count: number }) => void;
  reactions: (p: { counts: Record<string, number> }) => void;
  'product:pinned': (p: { pin: PinView }) => void;
  'product:unpinned': (p: { pinId: string }) => void;
  stock: (p: { productId: string; remaining: number }) => void;
  'order:placed': (p: { buyer: string; productTitle: string }) => void;
  'stream:status': (p: { status: 'created' | 'live' | 'ended' }) => void;
  /** Owner and merchant only (the `staff` sub-room): live GMV ticker. */
  'gmv:update': (p: { currency: string; gmvCents: number; orders: number }) => void;
  /**
   * Big rooms only (LIVE_CHAT_BATCH_MIN_VIEWERS connections on a replica): the
   * chat lines this socket has not been sent yet (at most one frame per fan-out
   * and LIVE_CHAT_BATCH_MS), oldest first. A single line still goes as
   * chat:message. Clients handle both.
   */
  'chat:messages': (p: { messages: ChatMessage[] }) => void;
}

/** Every event the gateway relays from the room channel to the room's sockets. */
export const RELAYED_EVENTS = [
  'chat:message',
  'chat:deleted',
  'chat:slow-mode',
  'viewers',
  'reactions',
  'product:pinned',
  'product:unpinned',
  'stock',
  'order:placed',
  'stream:status',
  'gmv:update',
] as const satisfies readonly (keyof ServerToClientEvents)[];

export interface RoomState {
  streamId: string;
  status: 'created' | 'live' | 'ended';
  viewers: number;
  pinned: PinView | null;
  /** The last (up to) 50 visible messages, oldest first. */
  messages: ChatMessage[];
  likes: number;
  /** True for the stream owner, its merchant and admins (they also get staffOnly events). */
  staff: boolean;
  /** Seconds a viewer must wait between two messages; 0 when slow mode is off. */
  slowModeSeconds: number;
}

/** Reactions a viewer may send; `like` is counted into the room's like total. */
export const REACTION_KINDS = ['like', 'heart', 'fire', 'clap', 'laugh', 'wow'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

/** The error reply every failed event gets through its ack (same body as HTTP errors). */
export interface ErrorReply {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface JoinRequest {
  streamId: string;
  /** Signs the socket in (or switches user) when the handshake carried no token. */
  token?: string;
  /** Stable id of an anonymous browser, so its tabs and reconnects count as one viewer. */
  deviceId?: string;
}

export type ChatSendReply =
  | {
      ok: true;
      message: ChatMessage;
      /** True when the stream's word list matched: stored, but shown to nobody else. */
      hidden?: boolean;
    }
  | ErrorReply;

/**
 * Client → server events. Every event takes an ack callback; failures reply
 * `{ error: { code, message } }` through it.
 */
export interface ClientToServerEvents {
  join: (p: JoinRequest, ack: (r: RoomState | ErrorReply) => void) => void;
  leave: (p: Record<string, never>, ack: (r: { ok: true } | ErrorReply) => void) => void;
  'chat:send': (p: { text: string }, ack: (r: ChatSendReply) => void) => void;
  'reaction:send': (p: { kind: ReactionKind }, ack: (r: { ok: true } | ErrorReply) => void) => void;
}

/**
 * A room event as carried on PubSub: `event` is a ServerToClientEvents name,
 * `staffOnly` limits delivery to the stream owner, its merchant and admins.
 */
export type RoomEvent = {
  [K in keyof ServerToClientEvents]: {
    event: K;
    data: Parameters<ServerToClientEvents[K]>[0];
    staffOnly?: boolean;
  };
}[keyof ServerToClientEvents];

/**
 * Reads the product currently pinned in a stream (provided by the pins
 * feature, consumed by the live room for `room:state`).
 */
export interface PinReader {
  current(streamId: string): Promise<PinView | null>;
}
export const PIN_READER = Symbol('PIN_READER');
