import { ROOM_EVENTS, SOCKET_EVENTS, type ChatMessage } from '../room/protocol';

/** What a room's chat delivery needs of this replica (RoomEmitter and FrameWriter). */
export interface ChatSink {
  /**
   * Calls `write` with the room's sockets here, as they are when its turn
   * comes after the events queued before it, a chunk at a time; settles once
   * every chunk has been written (at once for a small room).
   */
  each(write: (ids: Iterable<string>) => void): void | Promise<void>;
  /** Writes one frame to these sockets. */
  emit(
    ids: string[],
    event: typeof ROOM_EVENTS.chatMessage | typeof SOCKET_EVENTS.chatMessages,
    data: unknown,
  ): void;
}

/**
 * Most lines kept for sockets that are behind. Only a socket that no fan-out
 * reached for this many lines could need older ones (a leak, not a viewer):
 * past it the oldest are dropped so the log cannot grow without end.
 */
const MAX_LOG = 10_000;

/**
 * Chat delivery for one room on this replica.
 *
 * The room's lines form a log (sequence numbers from 1), and each socket has
 * a cursor: the last line it has been sent. Every fan-out writes each socket
 * the lines after its cursor, in order, oldest first, and moves the cursor.
 * So no socket gets a line twice or misses one, whatever joins, leaves or
 * fan-outs overlap, and a socket that joins starts at the log's head (the
 * lines so far are in its room:state).
 *
 * Small rooms (and a line into a quiet room) get each line at once, as
 * `chat:message`. In a busy big room a frame costs the server a write per
 * socket and each viewer a decode whatever it carries, so frames are
 * batched: after a fan-out ends, the room waits `windowMs` and then sends
 * everyone what they are missing, as one `chat:messages` (or `chat:message`
 * for a single line). A big room is written a chunk of sockets at a time,
 * and each chunk gets the lines up to the moment of its own write: a line
 * that arrives while a fan-out is under way still reaches the sockets that
 * fan-out has not written yet, instead of waiting for the whole fan-out, the
 * window and the next fan-out's way down to them. Any socket's lines then wait
 * at most one fan-out and one window, where a frame closed for all before it
 * started made the last sockets wait two fan-outs and a window
 * (docs/benchmarks/chat.md). The burst shape of a fan-out stays
 * (spreading a window's fan-out in smaller groups was measured and cost more
 * CPU per frame on the server and the viewers alike), and when the machine is
 * busy the frames grow instead of queueing up.
 */
export class ChatFanout {
  /** Lines not yet sent to every socket; log[i] is line base + i + 1. */
  private log: ChatMessage[] = [];
  private base = 0;
  /** Per socket id, the last line sent to it. */
  private readonly cursors = new Map<string, number>();
  /** Batching: a fan-out or the window after it is under way. */
  private open = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly windowMs: number,
    private readonly sink: ChatSink,
  ) {}

  /** The last line's sequence number (0 before the first). */
  get head(): number {
    return this.base + this.log.length;
  }

  /** A socket joins the room: it has the lines so far (room:state) and gets every later one. */
  joined(socketId: string): void {
    this.cursors.set(socketId, this.head);
  }

  left(socketId: string): void {
    this.cursors.delete(socketId);
  }

  /** A new line. `batch`: the room is big enough to batch (see LIVE_CHAT_BATCH_MIN_VIEWERS). */
  push(msg: ChatMessage, batch: boolean): void {
    this.log.push(msg);
    if (this.log.length > MAX_LOG) this.trim(this.head - MAX_LOG);
    if (this.open) return; // a fan-out or a window is under way: it carries the line
    if (batch && this.windowMs > 0) {
      // Leading edge: the line leaves at once, and the window opens behind it.
      this.open = true;
      this.cycle();
      return;
    }
    // Unbatched: one fan-out per line, up to that line, so each leaves as its own chat:message.
    this.settled(this.fanout(this.head), () => this.trimSent());
  }

  /** Sends every socket what it is missing, now (before a deletion, so a line never arrives after it). */
  flush(): void | Promise<void> {
    if (this.head === this.minCursor()) return;
    return this.fanout();
  }

  close(): void {
    this.closed = true;
    this.open = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.flush();
  }

  /** One batched round: a fan-out, then the window; another round if lines came meanwhile. */
  private cycle(): void {
    this.settled(this.fanout(), () => {
      this.trimSent();
      if (this.open && !this.closed) this.timer = setTimeout(() => this.endWindow(), this.windowMs);
    });
  }

  private endWindow(): void {
    this.timer = undefined;
    if (this.closed) return;
    if (this.head === this.minCursor())
      this.open = false; // nobody is behind: batching ends
    else this.cycle();
  }

  /** Writes each socket the lines after its cursor, up to `upTo` (default: the head when its chunk is written). */
  private fanout(upTo?: number): void | Promise<void> {
    return this.sink.each((ids) => this.write(ids, upTo ?? this.head));
  }

  private write(ids: Iterable<string>, upTo: number): void {
    // Sockets at the same cursor (nearly always all of them) share one frame.
    const groups = new Map<number, string[]>();
    for (const id of ids) {
      const at = this.cursors.get(id);
      if (at === undefined || at >= upTo) continue; // not joined through the room, or up to date
      const group = groups.get(at);
      if (group) group.push(id);
      else groups.set(at, [id]);
      this.cursors.set(id, upTo);
    }
    for (const [at, group] of groups) {
      // Lines before the log's start were dropped (MAX_LOG): the socket gets what is left.
      const from = Math.max(0, at - this.base);
      const to = upTo - this.base;
      if (to <= from) continue;
      const lines = this.log.slice(from, to);
      if (lines.length === 1) this.sink.emit(group, ROOM_EVENTS.chatMessage, lines[0]);
      else if (lines.length > 1) this.sink.emit(group, SOCKET_EVENTS.chatMessages, { messages: lines });
    }
  }

  private minCursor(): number {
    let min = this.head;
    for (const at of this.cursors.values()) if (at < min) min = at;
    return min;
  }

  /** Drops the lines every socket has been sent. */
  private trimSent(): void {
    this.trim(this.minCursor());
  }

  private trim(upTo: number): void {
    if (upTo <= this.base) return;
    this.log = this.log.slice(upTo - this.base);
    this.base = upTo;
  }

  /** Runs `then` once `sent` settles, or at once when the fan-out was written synchronously. */
  private settled(sent: void | Promise<void>, then: () => void): void {
    if (sent) void sent.then(then, then);
    else then();
  }
}
