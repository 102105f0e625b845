import type { StateStore } from '../infra/state-store';

/**
 * Unique viewers per stream, shared by every replica through the StateStore.
 *
 * Time is cut into periods (the heartbeat). Each period has its own set of
 * viewer keys (`u:<userId>` or `d:<deviceId>`) that expires after a few
 * periods. A replica adds a viewer to the current period's set when it joins
 * (and to the next one's too in the lead before a turn), removes it from the
 * sets around now when it leaves, and shortly before every period starts
 * announces all of its viewers in that period's set. So the new set is
 * complete when the period turns, even when a busy replica's timer fires late
 * (the grace after the turn still counts the previous set for that). A replica
 * that crashes stops announcing, so its viewers drop out when the period turns
 * (plus the grace): no replica ever has to clean up after another.
 *
 * Only the StateStore's set operations are used, so the one-node Map and the
 * Redis implementation behave the same.
 */
export class Presence {
  /** Within this long after a period starts, the previous period still counts. */
  readonly graceMs: number;
  /** This long before a period starts, replicas announce their viewers in it. */
  readonly leadMs: number;

  constructor(
    private readonly store: StateStore,
    readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.graceMs = Math.min(2000, Math.max(200, Math.floor(periodMs / 4)));
    this.leadMs = this.graceMs;
  }

  period(t = this.now()): number {
    return Math.floor(t / this.periodMs);
  }

  /** Milliseconds until the next period starts. */
  msToNextPeriod(t = this.now()): number {
    return (this.period(t) + 1) * this.periodMs - t;
  }

  /**
   * The next announcement of a replica whose last one was for period `after`:
   * which period, and in how many milliseconds (leadMs before it starts; at
   * once when that moment has passed).
   */
  nextAnnouncement(after = -Infinity, t = this.now()): { period: number; inMs: number } {
    const period = Math.max(this.period(t) + 1, after + 1);
    return { period, inMs: Math.max(0, period * this.periodMs - this.leadMs - t) };
  }

  /** The periods a viewer seen now belongs to: the current one, and the next in the lead before a turn. */
  private periodsNow(): number[] {
    const t = this.now();
    const p = this.period(t);
    return this.msToNextPeriod(t) <= this.leadMs ? [p, p + 1] : [p];
  }

  private key(streamId: string, period: number): string {
    return `live:presence:${streamId}:${period}`;
  }

  private seenKey(streamId: string): string {
    return `live:seen:${streamId}`;
  }

  private get ttlMs(): number {
    return this.periodMs * 3;
  }

  /** A viewer arrived on this replica. Returns true when they had never been seen in this stream. */
  async add(streamId: string, viewerKey: string): Promise<boolean> {
    await Promise.all(
      this.periodsNow().map((p) => this.store.setAdd(this.key(streamId, p), viewerKey, this.ttlMs)),
    );
    // Unique total: every viewer key that ever joined; kept a week after the last join.
    return this.store.setAdd(this.seenKey(streamId), viewerKey, 7 * 24 * 3600_000);
  }

  /** The viewer's last connection on this replica left. */
  async remove(streamId: string, viewerKey: string): Promise<void> {
    const p = this.period();
    await Promise.all([p - 1, p, p + 1].map((q) => this.store.setRemove(this.key(streamId, q), viewerKey)));
  }

  /**
   * Announces this replica's viewers of a stream: in `period` (the heartbeat's
   * next one), or else in the periods of now.
   */
  async refresh(streamId: string, viewerKeys: Iterable<string>, period?: number): Promise<void> {
    const keys = (period === undefined ? this.periodsNow() : [period]).map((p) => this.key(streamId, p));
    const ops: Promise<boolean>[] = [];
    for (const v of viewerKeys) for (const key of keys) ops.push(this.store.setAdd(key, v, this.ttlMs));
    await Promise.all(ops);
  }

  /** Concurrent unique viewers on all replicas. */
  async count(streamId: string): Promise<number> {
    const t = this.now();
    const p = this.period(t);
    const current = await this.store.setSize(this.key(streamId, p));
    if (t - p * this.periodMs >= this.graceMs) return current;
    // The period just turned: replicas are still re-announcing their viewers.
    return Math.max(current, await this.store.setSize(this.key(streamId, p - 1)));
  }

  /** Distinct viewers who ever joined the stream. */
  uniqueTotal(streamId: string): Promise<number> {
    return this.store.setSize(this.seenKey(streamId));
  }
}
