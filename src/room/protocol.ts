/**
 * The live room's wire protocol: the socket.io namespace `/live`, its event
 * names and their payloads (JSON), defined once for the server and the
 * browser. This file imports nothing and holds only types and `as const`
 * values, so a front end can import it as it is.
 *
 * Each name is spelled once, here, as a value; the event maps socket.io is
 * typed with are derived from these constants, so a name without a payload
 * type (or a payload without a name) does not compile.
 */

export const LIVE_NAMESPACE = '/live';

/** A stream's life: created → live → ended. */
export const STREAM_STATUSES = ['created', 'live', 'ended'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/**
 * What viewers are told: the status, with `reconnecting` for a live stream
 * whose publisher is gone and may come back until `reconnectUntil` (chat,
 * pins and orders go on; the picture stops). It then turns `live` again (play
 * it again: WebRTC viewers need a new WHEP session, HLS continues after a
 * discontinuity) or `ended`.
 */
export const STREAM_STATES = ['created', 'live', 'reconnecting', 'ended'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/**
 * Server → client events that features publish on a stream's room channel;
 * every replica relays them to its sockets in that room.
 */
export const ROOM_EVENTS = {
  chatMessage: 'chat:message',
  chatDeleted: 'chat:deleted',
  /**
   * A moderator changed slow mode: from now on a viewer must wait this many
   * seconds between two messages (0 = off; staff are exempt). Same value as
   * `slowModeSeconds` in room:state, pushed to everyone already in the room.
   */
  chatSlowMode: 'chat:slow-mode',
  viewers: 'viewers',
  reactions: 'reactions',
  productPinned: 'product:pinned',
  productUnpinned: 'product:unpinned',
  stock: 'stock',
  orderPlaced: 'order:placed',
  streamStatus: 'stream:status',
  /** Owner and merchant only (the `staff` sub-room): live GMV ticker. */
  gmvUpdate: 'gmv:update',
} as const;

/** Server → client events a replica writes to its own sockets; never published on a channel. */
export const SOCKET_EVENTS = {
  roomState: 'room:state',
  /**
   * Big rooms only (LIVE_CHAT_BATCH_MIN_VIEWERS connections on a replica): the
   * chat lines this socket has not been sent yet (at most one frame per fan-out
   * and LIVE_CHAT_BATCH_MS), oldest first. A single line still goes as
   * chat:message. Clients handle both.
   */
  chatMessages: 'chat:messages',
  /**
   * The socket's sign-in ended: its access token expired without an `auth`
   * renewal, or it was revoked (signed out everywhere, roles changed). The
   * server disconnects the socket right after; reconnect with a fresh token
   * (or none, to watch anonymously).
   */
  sessionEnded: 'session:ended',
} as const;

/** Client → server events. Every one takes an ack callback; failures reply `{ error: { code, message } }`. */
export const CLIENT_EVENTS = {
  join: 'join',
  leave: 'leave',
  chatSend: 'chat:send',
  reactionSend: 'reaction:send',
  /** Renews (or starts) the socket's sign-in with a fresh access token, before the old one expires. */
  auth: 'auth',
} as const;

export type RoomEventName = (typeof ROOM_EVENTS)[keyof typeof ROOM_EVENTS];
export type ClientEventName = (typeof CLIENT_EVENTS)[keyof typeof CLIENT_EVENTS];

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

export interface RoomState {
  streamId: string;
  status: StreamState;
  /** While `reconnecting`: the ISO time the stream ends unless its publisher is back. */
  reconnectUntil: string | null;
  /**
   * Once `ended`: the stream's final audience figures, to show instead of a
   * viewer count (viewers of an ended stream are not counted: `viewers` is 0).
   */
  final: StreamFigures | null;
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

/** A stream's audience over its life (stream_stats): peak concurrent and unique viewers, likes. */
export interface StreamFigures {
  peakViewers: number;
  uniqueViewers: number;
  likes: number;
}

/** Reactions a viewer may send; `like` is counted into the room's like total. */
export const REACTION_KINDS = ['like', 'heart', 'fire', 'clap', 'laugh', 'wow'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

/** The payload of each room event, by its key in ROOM_EVENTS. */
export interface RoomEventPayloads {
  chatMessage: ChatMessage;
  chatDeleted: { id: string };
  chatSlowMode: { slowModeSeconds: number };
  viewers: { count: number };
  reactions: { counts: Record<string, number> };
  productPinned: { pin: PinView };
  productUnpinned: { pinId: string };
  stock: { productId: string; remaining: number };
  orderPlaced: { buyer: string; productTitle: string };
  streamStatus: { status: StreamState; reconnectUntil?: string | null };
  gmvUpdate: { currency: string; gmvCents: number; orders: number };
}

/** The payload of each socket-only event, by its key in SOCKET_EVENTS. */
export interface SocketEventPayloads {
  roomState: RoomState;
  chatMessages: { messages: ChatMessage[] };
  sessionEnded: { reason: 'expired' | 'revoked' };
}

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

export interface AuthRequest {
  /** An access token of the socket's user (or any user's, for an anonymous socket). */
  token: string;
}

/** `auth` succeeded: the socket is signed in until `expiresAt` (ISO time) unless renewed again. */
export interface AuthReply {
  ok: true;
  expiresAt: string;
}

/** What each client event carries and what its ack answers, by its key in CLIENT_EVENTS. */
export interface ClientEventCalls {
  join: { payload: JoinRequest; reply: RoomState | ErrorReply };
  leave: { payload: Record<string, never>; reply: { ok: true } | ErrorReply };
  chatSend: { payload: { text: string }; reply: ChatSendReply };
  reactionSend: { payload: { kind: ReactionKind }; reply: { ok: true } | ErrorReply };
  auth: { payload: AuthRequest; reply: AuthReply | ErrorReply };
}

type Listeners<Names extends Record<string, string>, Payloads extends Record<keyof Names, unknown>> = {
  [K in keyof Names as Names[K]]: (payload: Payloads[K]) => void;
};

/** Server → client events and their payloads (socket.io's first type parameter on the client). */
export type ServerToClientEvents = Listeners<typeof ROOM_EVENTS, RoomEventPayloads> &
  Listeners<typeof SOCKET_EVENTS, SocketEventPayloads>;

/** Client → server events: each takes its payload and an ack callback. */
export type ClientToServerEvents = {
  [K in keyof typeof CLIENT_EVENTS as (typeof CLIENT_EVENTS)[K]]: (
    payload: ClientEventCalls[K]['payload'],
    ack: (reply: ClientEventCalls[K]['reply']) => void,
  ) => void;
};

/**
 * A room event as carried on a room channel: `event` is a ROOM_EVENTS name,
 * `staffOnly` limits delivery to the stream owner, its merchant and admins.
 */
export type RoomEvent = {
  [K in keyof typeof ROOM_EVENTS]: {
    event: (typeof ROOM_EVENTS)[K];
    data: RoomEventPayloads[K];
    staffOnly?: boolean;
  };
}[keyof typeof ROOM_EVENTS];
