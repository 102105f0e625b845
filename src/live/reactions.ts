import type { ReactionKind } from '../room/protocol';

export type ReactionCounts = Partial<Record<ReactionKind, number>>;

/**
 * Sums reactions per stream over a short window and hands each window's
 * totals to `flush` once: a thousand clicks in a window leave this replica as
 * one `reactions` event, never one event per click. The window opens with
 * the first click after a quiet moment, so a lone click waits at most one
 * window.
 */
export class ReactionAggregator {
  private pending = new Map<string, ReactionCounts>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly windowMs: number,
    private readonly flush: (streamId: string, counts: ReactionCounts) => void,
  ) {}

  add(streamId: string, kind: ReactionKind): void {
    let counts = this.pending.get(streamId);
    if (!counts) {
      counts = {};
      this.pending.set(streamId, counts);
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.timer ??= setTimeout(() => this.flushNow(), this.windowMs);
  }

  /** Likes clicked here and not yet flushed (added to the shared total in room:state). */
  pendingLikes(streamId: string): number {
    return this.pending.get(streamId)?.like ?? 0;
  }

  flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    for (const [streamId, counts] of batch) this.flush(streamId, counts);
  }

  close(): void {
    this.flushNow();
  }
}
