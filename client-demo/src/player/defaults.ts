// What a <livecart-player> starts with before its attributes are read. The
// pages leave it alone (same origin, overlays given as children); the embed
// entry (src/embed/embed.ts) sets it before the element is defined, so the
// bare `<livecart-player stream="ID">` on a merchant's site talks to the
// livecart host it was loaded from and shows its own shop.
export const playerDefaults = {
  /** The livecart origin for /hls, /whep, /live and /buy; '' for the page's own. */
  base: '',
  /** Whether the player draws the pinned product, hearts and chat itself. */
  shop: false,
  /** hls.js's worker script on the page's origin (player/hls-worker.ts); '' demuxes on the main thread. */
  hlsWorker: '',
  /** The worker that makes hls.js's requests (player/fetch-worker.ts); '' uses hls.js's own loader. */
  fetchWorker: '',
};
