import type { ChatMessage } from './live-events';

/**
 * Where a room's chat frames go: every socket of the room on this replica. A
 * sink that writes in chunks returns when the frame is out (see RoomEmitter).
 */
export type ChatSink = (event: 'chat:message' | 'chat:messages', data: unknown) => void | Promise<void>;

/**
 * Chat delivery for one room on this replica.
 *
 * Small rooms (and a line into a quiet room) get each line at once, as
 * `chat:message`. In a busy big room a frame costs the server a write per
 * socket and each viewer a decode whatever it carries, so the lines that
 * arrive while a window is open leave together at its end as one
 * `chat:messages` (oldest first), and the next window opens only once that
 * fan-out is done (when the sink's promise settles): when the machine is busy
 * the frames grow instead of queueing up. (Spreading each window's fan-out over the window in smaller
 * groups was measured and cost more CPU per frame on the server and the
 * viewers alike: one burst lets the kernel and the viewers batch their work.)
 */
export class ChatFanout {
  /** Lines of the open window, oldest first. */
  private pending: ChatMessage[] = [];
  /** A window is open: from a frame's send until windowMs after its fan-out ended. */
  private open = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly windowMs: number,
    private readonly sink: ChatSink,
  ) {}

  /**
   * Lines still to be sent: a socket joining now must not also get them in
   * its room:state, or it would see them twice.
   */
  pendingIds(): Set<string> | null {
    return this.pending.length === 0 ? null : new Set(this.pending.map((m) => m.id));
  }

  /** A new line. `batch`: the room is big enough to batch (see LIVE_CHAT_BATCH_MIN_VIEWERS). */
  push(msg: ChatMessage, batch: boolean): void {
    if (this.open) {
      this.pending.push(msg); // a window is open: the line waits for its end
      return;
    }
    // Leading edge: a line into a quiet or small room leaves at once; a big room opens a window.
    const sent = this.sink('chat:message', msg);
    if (batch && this.windowMs > 0) this.openWindow(sent);
  }

  /** Sends what the window holds now (before a deletion, so a line never arrives after it). */
  flush(): void | Promise<void> {
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    if (lines.length === 1) return this.sink('chat:message', lines[0]);
    return this.sink('chat:messages', { messages: lines });
  }

  close(): void {
    this.closed = true;
    this.open = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.flush();
  }

  /** Opens a window that ends windowMs after the frame just sent is out. */
  private openWindow(sent: void | Promise<void>): void {
    this.open = true;
    const start = () => {
      if (this.open && !this.closed) this.timer = setTimeout(() => this.endWindow(), this.windowMs);
    };
    if (sent) void sent.then(start, start);
    else start();
  }

  /** A window ended: send what it gathered, and keep windows going while lines keep coming. */
  private endWindow(): void {
    this.timer = undefined;
    this.open = false;
    if (this.pending.length === 0) return;
    this.openWindow(this.flush());
  }
}
