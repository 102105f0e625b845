/// <reference types="vite/client" />
// hls.js's ES module build has no inline worker: without `workerPath` it
// demuxes and remuxes every part on the main thread, which on a phone keeps
// the page busy (long tasks) for as long as a live stream plays. The build
// ships its worker script as an asset and the pages' players load it from
// there. A Worker must come from the page's own origin, so the embed (on a
// merchant's site) does not import this and keeps hls.js's main-thread path.
// The same holds for the worker that makes hls.js's requests (worker-loader.ts).
import workerUrl from 'hls.js/dist/hls.worker.js?url';
import { playerDefaults } from './defaults';
import fetchWorkerUrl from './fetch-worker.ts?worker&url';

playerDefaults.hlsWorker = workerUrl;
playerDefaults.fetchWorker = fetchWorkerUrl;
