// Which stream "Next live" (the phone's swipe up, the watch page's button)
// opens, and what counts as a swipe up.

/**
 * The stream after `current` in the server's list of live streams (its order:
 * the newest first), wrapping round, so swiping on walks through every live
 * show and comes back. A viewer whose stream is not in the list (it ended)
 * gets the first one. Null when no other stream is live.
 */
export function nextLive<T extends { id: string }>(live: readonly T[], current: string): T | null {
  const at = live.findIndex((s) => s.id === current);
  const after = [...live.slice(at + 1), ...live.slice(0, Math.max(at, 0))];
  return after.find((s) => s.id !== current) ?? null;
}

export interface Point {
  x: number;
  y: number;
}

/** A swipe up moves at least this many pixels, and this share of the screen's height. */
export const SWIPE_MIN_PX = 60;
export const SWIPE_MIN_SHARE = 0.12;

/**
 * Whether a drag from `from` to `to` on a screen `height` pixels tall is a
 * swipe up: far enough (so a tap, or a finger resting on the video, is not)
 * and mostly vertical (so a sideways drag is not).
 */
export function isSwipeUp(from: Point, to: Point, height: number): boolean {
  const up = from.y - to.y;
  const across = Math.abs(to.x - from.x);
  return up >= Math.max(SWIPE_MIN_PX, height * SWIPE_MIN_SHARE) && across <= up / 2;
}
