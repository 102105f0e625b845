import type { ChatMessage } from './live-events';

/**
 * The sockets of a room are dealt round-robin into this many groups (one
 * socket.io room each). In a big room each group gets its chat frame at its
 * own moment of the window, so one window's sending is spread over the whole
 * window in small pieces instead of one burst to every socket.
 */
export const CHAT_GROUPS = 8;

/** Where a room's chat frames go: every socket of the room, or one group of it. */
export interface ChatSink {
  all(event: 'chat:message', msg: ChatMessage): void;
  group(g: number, event: 'chat:message' | 'chat:messages', data: unknown): void;
}

/**
 * Chat delivery for one room on this replica.
 *
 * Small rooms (and a line into a quiet room) get each line at once, as
 * `chat:message` to everyone. In a busy big room a frame costs the server a
 * write per socket and the viewer a decode whatever it carries, so each
 * socket gets at most one frame per window: a rolling ticker visits the
 * groups one after another, `windowMs / groups` apart, and sends each group
 * the lines it has not had yet (one line: `chat:message`, more:
 * `chat:messages`, oldest first). A line waits at most one window, and the
 * cost of a window is spread evenly over it: the event loop is never held
 * by one big fan-out, so acks and joins keep flowing and the viewers'
 * processes get a steady stream instead of a burst.
 */
export class ChatFanout {
  /** Lines not yet sent to every group, oldest first; `seq` numbers them. */
  private lines: { seq: number; msg: ChatMessage }[] = [];
  private head = 0;
  /** The newest line each group has been sent. */
  private readonly sent: number[];
  private timer?: NodeJS.Timeout;
  private slot = 0;
  private base = 0;
  private lastLineAt = 0;
  private nextGroup = 0;
  private readonly step: number;

  constructor(
    private readonly windowMs: number,
    private readonly sink: ChatSink,
    readonly groups = CHAT_GROUPS,
    private readonly now: () => number = Date.now,
  ) {
    this.sent = new Array<number>(groups).fill(0);
    this.step = windowMs / groups;
  }

  /** The group for a socket that joins now. */
  assign(): number {
    const g = this.nextGroup;
    this.nextGroup = (g + 1) % this.groups;
    return g;
  }

  /**
   * Lines group `g` will still be sent: a socket joining that group now must
   * not also get them in its room:state, or it would see them twice.
   */
  pendingIds(g: number): Set<string> | null {
    if (this.sent[g] === this.head) return null;
    return new Set(this.lines.filter((l) => l.seq > this.sent[g]).map((l) => l.msg.id));
  }

  /** A new line. `batch`: the room is big enough to batch (see LIVE_CHAT_BATCH_MIN_VIEWERS). */
  push(msg: ChatMessage, batch: boolean): void {
    const seq = ++this.head;
    this.lastLineAt = this.now();
    if (this.timer) {
      this.lines.push({ seq, msg });
      return;
    }
    // A quiet or small room: the line leaves at once; in a big room it opens the rolling windows.
    this.sent.fill(seq);
    this.sink.all('chat:message', msg);
    if (batch && this.windowMs > 0) {
      this.slot = 0;
      this.base = this.lastLineAt;
      this.schedule();
    }
  }

  /** Sends every group what it is owed (before a deletion, so a line never arrives after it). */
  flushAll(): void {
    for (let g = 0; g < this.groups; g++) this.flush(g);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushAll();
  }

  private flush(g: number): void {
    if (this.sent[g] === this.head) return;
    const from = this.sent[g];
    const pending = this.lines.filter((l) => l.seq > from).map((l) => l.msg);
    this.sent[g] = this.head;
    const oldest = Math.min(...this.sent);
    if (this.lines.length > 0 && this.lines[0].seq <= oldest) {
      this.lines = this.lines.filter((l) => l.seq > oldest);
    }
    if (pending.length === 1) this.sink.group(g, 'chat:message', pending[0]);
    else this.sink.group(g, 'chat:messages', { messages: pending });
  }

  private schedule(): void {
    const now = this.now();
    let at = this.base + (this.slot + 1) * this.step;
    // Far behind (a stalled loop): restart the schedule from now rather than firing a burst.
    if (at < now - this.windowMs) {
      this.base = now - (this.slot + 1) * this.step;
      at = now;
    }
    this.timer = setTimeout(() => this.tick(), Math.max(0, at - now));
  }

  private tick(): void {
    this.timer = undefined;
    this.flush(this.slot % this.groups);
    this.slot++;
    const idle = this.sent.every((s) => s === this.head) && this.now() - this.lastLineAt >= this.windowMs;
    if (!idle) this.schedule();
  }
}
