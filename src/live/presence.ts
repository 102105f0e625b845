import type { StateStore } from '../infra/state-store';

/**
 * Unique viewers per stream, shared by every replica through the StateStore.
 *
 * Time is cut into periods (the heartbeat). Each period has its own set of
 * viewer keys (`u:<userId>` or `d:<deviceId>`) that expires after a few
 * periods. A replica adds a viewer to the current period's set when it joins,
 * removes it from the current and previous sets when it leaves, and at the
 * start of every period re-adds all of its viewers. A replica that crashes
 * stops re-adding, so its viewers drop out when the period turns (plus a short
 * grace while the other replicas re-announce theirs): no replica ever has to
 * clean up after another.
 *
 * Only the StateStore's set operations are used, so the one-node Map and the
 * Redis implementation behave the same.
 */
export class Presence {
  /** Within this long after a period starts, the previous period still counts. */
  readonly graceMs: number;

  constructor(
    private readonly store: StateStore,
    readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.graceMs = Math.min(2000, Math.max(200, Math.floor(periodMs / 4)));
  }

  period(t = this.now()): number {
    return Math.floor(t / this.periodMs);
  }

  /** Milliseconds until the next period starts. */
  msToNextPeriod(t = this.now()): number {
    return (this.period(t) + 1) * this.periodMs - t;
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
    await this.store.setAdd(this.key(streamId, this.period()), viewerKey, this.ttlMs);
    // Unique total: every viewer key that ever joined; kept a week after the last join.
    return this.store.setAdd(this.seenKey(streamId), viewerKey, 7 * 24 * 3600_000);
  }

  /** The viewer's last connection on this replica left. */
  async remove(streamId: string, viewerKey: string): Promise<void> {
    const p = this.period();
    await this.store.setRemove(this.key(streamId, p), viewerKey);
    await this.store.setRemove(this.key(streamId, p - 1), viewerKey);
  }

  /** Heartbeat: re-announces this replica's viewers of a stream in the current period. */
  async refresh(streamId: string, viewerKeys: Iterable<string>): Promise<void> {
    const key = this.key(streamId, this.period());
    const ops: Promise<boolean>[] = [];
    for (const v of viewerKeys) ops.push(this.store.setAdd(key, v, this.ttlMs));
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
