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
  viewers: (p: { count: number }) => void;
  reactions: (p: { counts: Record<string, number> }) => void;
  'product:pinned': (p: { pin: PinView }) => void;
  'product:unpinned': (p: { pinId: string }) => void;
  stock: (p: { productId: string; remaining: number }) => void;
  'order:placed': (p: { buyer: string; productTitle: string }) => void;
  'stream:status': (p: { status: 'created' | 'live' | 'ended' }) => void;
  /** Owner and merchant only (the `staff` sub-room): live GMV ticker. */
  'gmv:update': (p: { currency: string; gmvCents: number; orders: number }) => void;
}

export interface RoomState {
  streamId: string;
  status: 'created' | 'live' | 'ended';
  viewers: number;
  pinned: PinView | null;
  messages: ChatMessage[];
  likes: number;
}

/**
 * A room event as carried on PubSub: `event` is a ServerToClientEvents name,
 * `staffOnly` limits delivery to the stream owner, its merchant and admins.
 */
export type RoomEvent = {
  [K in keyof ServerToClientEvents]: { event: K; data: Parameters<ServerToClientEvents[K]>[0]; staffOnly?: boolean };
}[keyof ServerToClientEvents];

/**
 * Reads the product currently pinned in a stream (provided by the pins
 * feature, consumed by the live room for `room:state`).
 */
export interface PinReader {
  current(streamId: string): Promise<PinView | null>;
}
export const PIN_READER = Symbol('PIN_READER');
