/**
 * Keyed throttle with leading and trailing edges: the first value of a key is
 * emitted at once, later ones within `windowMs` are merged and emitted when the
 * window closes. Used so a flash sale selling thousands of units a second
 * sends each room a few `stock` and `order:placed` events, not thousands.
 */
export class Throttle<V> {
  private readonly windows = new Map<string, { timer: NodeJS.Timeout; pending?: V }>();

  constructor(
    private readonly windowMs: number,
    private readonly emit: (key: string, value: V) => void,
    /** Combines a pending value with a newer one; default keeps the newer. */
    private readonly merge: (older: V, newer: V) => V = (_o, n) => n,
  ) {}

  push(key: string, value: V): void {
    const w = this.windows.get(key);
    if (w) {
      w.pending = w.pending === undefined ? value : this.merge(w.pending, value);
      return;
    }
    this.emit(key, value);
    this.open(key);
  }

  private open(key: string): void {
    const timer = setTimeout(() => {
      const w = this.windows.get(key);
      this.windows.delete(key);
      if (w?.pending !== undefined) {
        this.emit(key, w.pending);
        this.open(key);
      }
    }, this.windowMs);
    timer.unref();
    this.windows.set(key, { timer });
  }

  /** Drops pending values and timers. */
  clear(): void {
    for (const w of this.windows.values()) clearTimeout(w.timer);
    this.windows.clear();
  }
}
