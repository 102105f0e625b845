export interface LaneBatcherOptions<T, R> {
  /** Number of lanes. */
  lanes: number;
  /**
   * Batches a lane may run at once (default 1). With 2, the next batch is
   * already waiting on the row locks when the previous one commits, so the
   * locks never sit idle between transactions.
   */
  inflightPerLane?: number;
  /** Largest batch handed to `run`. */
  maxBatch: number;
  /** Which lane an item belongs to (items contending for the same rows must share a lane). */
  laneOf(item: T): number;
  /** Runs one batch of a lane; returns one result per item, in order. A throw fails every item of the batch. */
  run(batch: T[], lane: number): Promise<R[]>;
  /** A lane finished its batches and has nothing queued (called once per such moment). */
  onIdle?(lane: number): void;
}

interface Waiter<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

/**
 * Natural batching, as Postgres group commit does: an idle lane runs an item
 * at once (no added latency when quiet); while a batch is in flight, newcomers
 * queue and go together in the next one. Under load, batch size grows with
 * the arrival rate, so one commit (≈ one fsync) carries many orders.
 */
export class LaneBatcher<T, R> {
  private readonly queues: Waiter<T, R>[][];
  private readonly running: number[];
  private readonly perLane: number;
  private closed = false;
  private inflight = 0;
  private readonly idle = new Set<() => void>();

  constructor(private readonly opts: LaneBatcherOptions<T, R>) {
    this.queues = Array.from({ length: opts.lanes }, () => []);
    this.running = Array.from({ length: opts.lanes }, () => 0);
    this.perLane = Math.max(1, opts.inflightPerLane ?? 1);
  }

  submit(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error('batcher is closed'));
    const lane = Math.abs(this.opts.laneOf(item)) % this.opts.lanes;
    return new Promise<R>((resolve, reject) => {
      this.queues[lane].push({ item, resolve, reject });
      this.pump(lane);
    });
  }

  /** Items waiting or running. */
  get pending(): number {
    return this.queues.reduce((n, q) => n + q.length, 0) + this.inflight;
  }

  private pump(lane: number): void {
    const q = this.queues[lane];
    while (q.length > 0 && this.running[lane] < this.perLane) {
      const batch = q.splice(0, this.opts.maxBatch);
      this.running[lane]++;
      this.inflight += batch.length;
      void this.runBatch(lane, batch);
    }
  }

  private async runBatch(lane: number, batch: Waiter<T, R>[]): Promise<void> {
    try {
      const results = await this.opts.run(
        batch.map((w) => w.item),
        lane,
      );
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (e) {
      for (const w of batch) w.reject(e);
    } finally {
      this.inflight -= batch.length;
      this.running[lane]--;
      this.pump(lane);
      if (this.running[lane] === 0) this.opts.onIdle?.(lane);
      if (this.running.every((n) => n === 0)) for (const f of this.idle) f();
    }
  }

  /** Refuses new items and waits for queued ones to finish. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.running.some((n) => n > 0)) await new Promise<void>((resolve) => this.idle.add(resolve));
  }
}

/** A stable small hash of a string (FNV-1a), for choosing a lane. */
export function laneHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
