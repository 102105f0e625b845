/**
 * Resolves in a task of its own: start-up work split at this point runs as two tasks instead of
 * one, so the browser can paint and answer a tap between them (a phone's CPU makes a 20 ms task on
 * a laptop a long one). A timer, not requestAnimationFrame, which a hidden tab never runs.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
