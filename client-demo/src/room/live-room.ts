// The live room in the browser: one socket.io connection to `/live`, typed
// with the server's own protocol (event names are the constants of
// src/room/protocol.ts, payloads its types), and the room's state kept here so
// components only render it.
import { io, type Socket } from 'socket.io-client';
import {
  CLIENT_EVENTS,
  LIVE_NAMESPACE,
  ROOM_EVENTS,
  SOCKET_EVENTS,
  type ChatMessage,
  type ClientEventCalls,
  type ClientToServerEvents,
  type ErrorReply,
  type PinView,
  type ReactionKind,
  type RoomState,
  type ServerToClientEvents,
  type StreamFigures,
  type StreamState,
} from '@shared/room/protocol';
import { freshToken, refreshSession, session, TOKEN_EVENT } from '../api/session';

export type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What components hear from the room, besides `change` (any state change). */
export interface RoomEvents {
  change: undefined;
  message: { message: ChatMessage; hidden?: boolean };
  reset: undefined;
  deleted: { id: string };
  reactions: { counts: Record<string, number> };
  system: { text: string };
  note: { text: string; error: boolean };
  gmv: { currency: string; gmvCents: number; orders: number };
}

export class RoomError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isError(reply: unknown): reply is ErrorReply {
  return typeof reply === 'object' && reply !== null && 'error' in reply;
}

/** A stable id for this browser, so its tabs and reconnects count as one anonymous viewer. */
export function deviceId(): string {
  let id = localStorage.getItem('livecart.device');
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem('livecart.device', id);
  }
  return id;
}

export class LiveRoom {
  status: StreamState | null = null;
  viewers = 0;
  likes = 0;
  /** An ended stream's audience figures (the server sends them on join). */
  final: StreamFigures | null = null;
  staff = false;
  slowModeSeconds = 0;
  /** The pinned product as the server last said (not yet timed to the viewer's video). */
  pin: PinView | null = null;
  joined = false;
  messages: ChatMessage[] = [];

  private readonly target = new EventTarget();
  private socket: RoomSocket | null = null;

  /** `base`: the livecart origin when the page is another site's (the embed); '' for this one. */
  constructor(
    readonly streamId: string,
    private readonly base = '',
  ) {}

  on<K extends keyof RoomEvents>(type: K, fn: (detail: RoomEvents[K]) => void): () => void {
    const listener = (e: Event): void => fn((e as CustomEvent<RoomEvents[K]>).detail);
    this.target.addEventListener(type, listener);
    return () => this.target.removeEventListener(type, listener);
  }

  private emit<K extends keyof RoomEvents>(type: K, detail: RoomEvents[K]): void {
    this.target.dispatchEvent(new CustomEvent(type, { detail }));
    if (type !== 'change') this.target.dispatchEvent(new CustomEvent('change'));
  }

  private changed(): void {
    this.emit('change', undefined);
  }

  private onToken?: (ev: Event) => void;

  connect(): void {
    if (this.socket) return;
    // Set once a session cannot be renewed: the viewer goes on watching anonymously.
    let anonymous = false;
    const socket: RoomSocket = io(`${this.base}${LIVE_NAMESPACE}`, {
      // Read at every (re)connect: the freshest access token, or none.
      auth: (cb) => {
        if (anonymous || !session.token) return cb({});
        void freshToken().then((token) => cb(token ? { token } : {}));
      },
      transports: ['websocket', 'polling'],
    });
    this.socket = socket;
    // A renewed access token renews the socket's sign-in before the old one expires.
    this.onToken = (ev: Event) => {
      const token = (ev as CustomEvent<string>).detail;
      if (socket.connected && !anonymous) socket.emit(CLIENT_EVENTS.auth, { token }, () => undefined);
    };
    window.addEventListener(TOKEN_EVENT, this.onToken);
    // The server ends a socket whose token expired or was revoked: renew, then reconnect.
    socket.on(SOCKET_EVENTS.sessionEnded, () => {
      void refreshSession().then((token) => {
        if (!token) {
          anonymous = true;
          this.emit('note', { text: 'Your session has ended; sign in again to chat.', error: true });
        }
        socket.connect();
      });
    });
    socket.on('connect', () => {
      this.emit('note', { text: '', error: false });
      void this.join();
    });
    socket.on('connect_error', (err) => {
      if (err.message.startsWith('unauthorized') && !anonymous) {
        // A session that cannot be renewed: watch anonymously rather than not at all.
        anonymous = true;
        this.emit('note', { text: 'Your session has expired; sign in again to chat.', error: true });
        socket.connect();
      }
    });
    socket.on('disconnect', () => {
      this.joined = false;
      this.emit('note', { text: 'Reconnecting…', error: false });
    });
    socket.on(ROOM_EVENTS.chatMessage, (m) => this.addMessage(m));
    socket.on(SOCKET_EVENTS.chatMessages, ({ messages }) => messages.forEach((m) => this.addMessage(m)));
    socket.on(SOCKET_EVENTS.roomState, (s) => this.apply(s));
    socket.on(ROOM_EVENTS.chatDeleted, ({ id }) => {
      this.messages = this.messages.filter((m) => m.id !== id);
      this.emit('deleted', { id });
    });
    socket.on(ROOM_EVENTS.chatSlowMode, ({ slowModeSeconds }) => {
      this.slowModeSeconds = slowModeSeconds;
      this.changed();
    });
    socket.on(ROOM_EVENTS.viewers, ({ count }) => {
      this.viewers = count;
      this.changed();
    });
    socket.on(ROOM_EVENTS.reactions, ({ counts }) => {
      this.likes += counts.like ?? 0;
      this.emit('reactions', { counts });
    });
    socket.on(ROOM_EVENTS.productPinned, ({ pin }) => {
      this.pin = pin;
      this.changed();
    });
    socket.on(ROOM_EVENTS.productUnpinned, ({ pinId }) => {
      if (this.pin?.pinId === pinId) this.pin = null;
      this.changed();
    });
    socket.on(ROOM_EVENTS.stock, ({ productId, remaining }) => {
      if (this.pin?.productId === productId) this.pin = { ...this.pin, remaining };
      this.changed();
    });
    socket.on(ROOM_EVENTS.orderPlaced, ({ buyer, productTitle }) =>
      this.emit('system', { text: `${buyer} just bought ${productTitle}` }),
    );
    socket.on(ROOM_EVENTS.streamStatus, ({ status }) => {
      this.status = status;
      if (status === 'ended') this.emit('system', { text: 'The stream has ended.' });
      if (status === 'live') this.emit('system', { text: 'The stream is live.' });
      this.changed();
    });
    socket.on(ROOM_EVENTS.gmvUpdate, (g) => this.emit('gmv', g));
  }

  private apply(s: RoomState): void {
    this.status = s.status;
    this.viewers = s.viewers;
    this.likes = s.likes;
    this.final = s.final;
    this.staff = s.staff;
    this.slowModeSeconds = s.slowModeSeconds;
    this.pin = s.pinned;
    this.messages = [...s.messages];
    this.joined = true;
    this.emit('reset', undefined);
  }

  private addMessage(m: ChatMessage, hidden?: boolean): void {
    if (this.messages.some((x) => x.id === m.id)) return;
    this.messages = [...this.messages.slice(-199), m];
    this.emit('message', { message: m, ...(hidden ? { hidden } : {}) });
  }

  private async join(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    try {
      // socket.io types a timed emitWithAck's answer as any: the protocol says what it is.
      const res = (await socket.timeout(8000).emitWithAck(CLIENT_EVENTS.join, {
        streamId: this.streamId,
        deviceId: deviceId(),
      })) as ClientEventCalls['join']['reply'];
      if (isError(res)) return this.emit('note', { text: res.error.message, error: true });
      this.apply(res);
    } catch {
      this.emit('note', { text: 'Could not join the room; retrying…', error: true });
      setTimeout(() => {
        if (this.socket?.connected) void this.join();
      }, 2000);
    }
  }

  /** Sends a chat line; resolves with the accepted message, throws a RoomError with a sentence. */
  async send(raw: string): Promise<void> {
    const text = raw.trim();
    if (!text) return;
    if (!this.socket) throw new RoomError('not_in_room', 'Not connected to the room yet.');
    let res: ClientEventCalls['chatSend']['reply'];
    try {
      res = (await this.socket
        .timeout(5000)
        .emitWithAck(CLIENT_EVENTS.chatSend, { text })) as ClientEventCalls['chatSend']['reply'];
    } catch {
      throw new RoomError('timeout', 'The server did not answer; check your connection.');
    }
    if (isError(res)) throw new RoomError(res.error.code, res.error.message);
    this.addMessage(res.message, res.hidden);
  }

  react(kind: ReactionKind): void {
    this.socket?.emit(CLIENT_EVENTS.reactionSend, { kind }, () => undefined);
  }

  close(): void {
    if (this.onToken) window.removeEventListener(TOKEN_EVENT, this.onToken);
    this.onToken = undefined;
    this.socket?.disconnect();
    this.socket = null;
  }
}
