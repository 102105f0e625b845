// hls.js moves its target latency one second further from live at every
// stall (up to one segment) and never moves it back while the stream lasts:
// after a couple of transient stalls a viewer sits 3 s behind for good, and
// product pins come that much later. This decides when to put the target back
// to the playlist's PART-HOLD-BACK; hls.js then catches up by playing slightly
// faster (maxLiveSyncPlaybackRate). Pure, so it is unit tested.

/** Quiet time after a stall before the player goes back to its normal distance from live. */
export const STALL_FORGIVE_MS = 4000;

export class NearLive {
  private base: number | null = null;
  private lastStall = 0;

  /** The playlist's hold-back, from the first live playlist (PART-HOLD-BACK, else HOLD-BACK). */
  playlist(details: { live: boolean; partHoldBack?: number | null; holdBack?: number | null }): void {
    if (this.base === null && details.live) this.base = details.partHoldBack || details.holdBack || null;
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
