// The viewer's player: LL-HLS with hls.js by default (scales to any number
// of viewers), or WebRTC over WHEP for the lowest latency. Exposes the
// wall-clock time the viewer's picture shows, so product pins appear when
// the video reaches the moment the streamer pinned them.
import { whepPlay } from './whip.js';

function loadHlsJs() {
  if (window.Hls) return Promise.resolve(window.Hls);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/vendor/hls/hls.min.js';
    s.onload = () => resolve(window.Hls);
    s.onerror = () => reject(new Error('could not load hls.js'));
    document.head.append(s);
  });
}

/** Quiet time after a stall before the player goes back to its normal distance from live. */
const STALL_FORGIVE_MS = 4000;

/**
 * hls.js moves its target latency one second further from live at every
 * stall (up to one segment) and never moves it back while the stream lasts:
 * after a couple of transient stalls a viewer sits 3 s behind for good, and
 * product pins come that much later. Once playback has run STALL_FORGIVE_MS
 * without a stall, this puts the target back to the playlist's PART-HOLD-BACK;
 * hls.js then catches up by playing slightly faster (maxLiveSyncPlaybackRate).
 */
function keepNearLive(Hls, hls, stopped) {
  let base = null;
  let lastStall = 0;
  hls.on(Hls.Events.LEVEL_UPDATED, (_, { details }) => {
    if (base === null && details.live) base = details.partHoldBack || details.holdBack || null;
  });
  hls.on(Hls.Events.ERROR, (_, data) => {
    if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) lastStall = Date.now();
  });
  const timer = setInterval(() => {
    if (stopped()) return clearInterval(timer);
    const target = hls.targetLatency;
    if (base === null || target === null || target <= base + 0.05) return;
    if (Date.now() - lastStall >= STALL_FORGIVE_MS) hls.targetLatency = base;
  }, 1000);
  hls.on(Hls.Events.DESTROYING, () => clearInterval(timer));
}

export function createPlayer({ videoEl, streamId, onState = () => undefined }) {
  let mode = null;
  let hls = null;
  let whep = null;
  let retryTimer = null;
  let closed = false;

  function teardown() {
    clearTimeout(retryTimer);
    if (hls) {
      hls.destroy();
      hls = null;
    }
    if (whep) {
      whep.stop();
      whep = null;
    }
    videoEl.removeAttribute('src');
    videoEl.srcObject = null;
  }

  async function startWebRtc() {
    teardown();
    mode = 'webrtc';
    onState({ mode, state: 'connecting' });
    try {
      whep = await whepPlay(`/whep/${streamId}`);
      videoEl.srcObject = whep.stream;
      await videoEl.play().catch(() => undefined);
      whep.pc.addEventListener('connectionstatechange', () => {
        const st = whep?.pc.connectionState;
        onState({ mode, state: st });
        if ((st === 'failed' || st === 'disconnected') && !closed && mode === 'webrtc') {
          retryTimer = setTimeout(startWebRtc, 2000);
        }
      });
    } catch (e) {
      onState({ mode, state: 'error', message: e.message });
      if (!closed && mode === 'webrtc' && e.status !== 404) retryTimer = setTimeout(startWebRtc, 3000);
    }
  }

  async function startHls() {
    teardown();
    mode = 'hls';
    onState({ mode, state: 'connecting' });
    const src = `/hls/${streamId}/master.m3u8`;
    const Hls = await loadHlsJs();
    if (Hls.isSupported()) {
      hls = new Hls({
        // Target latency comes from the playlist's PART-HOLD-BACK (1 s): setting
        // liveSyncDuration(Count) here would override it with whole segments.
        lowLatencyMode: true,
        backBufferLength: 30,
        // Catch up with the live edge after a stall (e.g. a transcode resumed after a crash).
        maxLiveSyncPlaybackRate: 1.5,
      });
      // And jump back to live when more than 4 target durations (8 s) behind, where hls.js
      // would otherwise stay for good. Set after construction: hls.js accepts it in the
      // constructor only together with liveSyncDurationCount, which would override the
      // playlist's PART-HOLD-BACK.
      hls.config.liveMaxLatencyDurationCount = 4;
      keepNearLive(Hls, hls, () => closed || mode !== 'hls');
      hls.on(Hls.Events.ERROR, (_, data) => {
        if (!data.fatal) return;
        onState({ mode, state: 'error', message: data.details });
        // A transcoder restart or a late first segment: reload rather than give up.
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else
          retryTimer = setTimeout(() => {
            if (!closed && mode === 'hls') void startHls();
          }, 2000);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        onState({ mode, state: 'playing' });
        void videoEl.play().catch(() => undefined);
      });
      hls.loadSource(src);
      hls.attachMedia(videoEl);
    } else {
      videoEl.src = src; // Safari plays HLS natively.
      await videoEl.play().catch(() => undefined);
    }
  }

  return {
    get mode() {
      return mode;
    },
    get hls() {
      return hls;
    },
    async start(preferred) {
      if (preferred === 'webrtc') return startWebRtc();
      if (preferred === 'hls') return startHls();
      const res = await fetch(`/hls/${streamId}/master.m3u8`, { method: 'HEAD' }).catch(() => null);
      return res && res.ok ? startHls() : startWebRtc();
    },
    /** The wall-clock time of the frame on screen, or null when playback is real time (WebRTC). */
    wallClock() {
      if (mode === 'hls' && hls?.playingDate) return hls.playingDate;
      return null;
    },
    close() {
      closed = true;
      teardown();
    },
  };
}
