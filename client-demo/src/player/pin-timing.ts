// Pure decisions of the product overlay, apart from the DOM so they are unit
// tested (pin-timing.spec.ts).

/**
 * Whether a pin's overlay may show now. `playerWallClock` is the wall-clock
 * time the viewer's video shows (HLS: from EXT-X-PROGRAM-DATE-TIME), or null
 * when the viewer watches in real time (WebRTC): then at once. An HLS viewer
 * seconds behind live sees the pin only when their video reaches the moment
 * the streamer pinned it, never before.
 */
export function pinVisible(pinnedAt: string, playerWallClock: Date | number | null | undefined): boolean {
  if (playerWallClock === null || playerWallClock === undefined) return true;
  const at = Date.parse(pinnedAt);
  const shown = playerWallClock instanceof Date ? playerWallClock.getTime() : Number(playerWallClock);
  if (!Number.isFinite(at) || !Number.isFinite(shown)) return true;
  return shown >= at;
}

/** Milliseconds until `pinVisible` turns true at normal playback speed (0 when it already is). */
export function msUntilPinVisible(
  pinnedAt: string,
  playerWallClock: Date | number | null | undefined,
): number {
  if (pinVisible(pinnedAt, playerWallClock)) return 0;
  const shown = playerWallClock instanceof Date ? playerWallClock.getTime() : Number(playerWallClock);
  return Date.parse(pinnedAt) - shown;
}

export interface Countdown {
  ended: boolean;
  text: string;
}

/** The flash-sale countdown: `m:ss` (or `h:mm:ss`) until `endsAt`, null when there is no end. */
export function countdown(endsAt: string | null | undefined, now = Date.now()): Countdown | null {
  if (!endsAt) return null;
  const left = Math.max(0, Math.ceil((Date.parse(endsAt) - now) / 1000));
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = String(left % 60).padStart(2, '0');
  return { ended: left === 0, text: h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}` };
}
