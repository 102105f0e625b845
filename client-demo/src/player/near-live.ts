// Where the watch page's hls.js stays: closer to live than a stock player, and
// back there after stalls. Pure, so it is unit tested.
//
// - Near live is two parts behind the playlist's end (the RFC's minimum
//   PART-HOLD-BACK; the playlist recommends three to players it knows nothing
//   about). Our server holds a blocking playlist reload until the next part
//   exists and serves the preload-hinted part as soon as it is written, so
//   two parts are enough here; hls.js reaches the target by playing slightly
//   faster (maxLiveSyncPlaybackRate). With short parts, two of them leave too
//   little buffer on a loaded machine (0.2 s parts stalled with a busy core,
//   docs/benchmarks/hls.md), so near live is never under
//   NEAR_LIVE_MIN_SECONDS.
// - hls.js moves its target latency one second further from live at every
//   stall (up to one segment) and never moves it back while the stream lasts:
//   after a couple of transient stalls a viewer sits 3 s behind for good, and
//   product pins come that much later. After a quiet while the target goes
//   back to near live.

/** Quiet time after a stall before the player goes back to its normal distance from live. */
export const STALL_FORGIVE_MS = 4000;
/** Parts behind the playlist's end the watch page plays at. */
export const NEAR_LIVE_PARTS = 2;
/** But never closer to the end than this (s): the buffer a part's delivery jitter needs. */
export const NEAR_LIVE_MIN_SECONDS = 0.6;

export class NearLive {
  private base: number | null = null;
  private lastStall = -Infinity;

  /**
   * Near live from the first live playlist: NEAR_LIVE_PARTS part targets (at least
   * NEAR_LIVE_MIN_SECONDS), never further than its PART-HOLD-BACK; without parts, its HOLD-BACK.
   */
  playlist(details: {
    live: boolean;
    partHoldBack?: number | null;
    holdBack?: number | null;
    partTarget?: number | null;
  }): void {
    if (this.base !== null || !details.live) return;
    const parts = details.partTarget
      ? Math.max(NEAR_LIVE_PARTS * details.partTarget, NEAR_LIVE_MIN_SECONDS)
      : null;
    const holdBack = details.partHoldBack || details.holdBack || null;
    this.base = parts !== null && holdBack !== null ? Math.min(parts, holdBack) : (parts ?? holdBack);
  }

  stalled(now: number): void {
    this.lastStall = now;
  }

  /** The target latency to set now, or null to leave hls.js's own. */
  correction(target: number | null, now: number): number | null {
    if (this.base === null || target === null || target <= this.base + 0.05) return null;
    return now - this.lastStall >= STALL_FORGIVE_MS ? this.base : null;
  }
}
