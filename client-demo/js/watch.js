// The watch page: the player (LL-HLS by default, WebRTC on request) and the
// live room (chat, reactions, viewer count, the timed product overlay).
import { api, el, renderHeader } from './api.js';
import { mountLiveRoom } from './live-room.js';
import { createPlayer } from './player.js';

renderHeader();
const streamId = location.pathname.split('/').filter(Boolean).pop();
const videoEl = document.getElementById('video');
const statusEl = document.getElementById('status');
const controls = document.getElementById('player-controls');
const params = new URLSearchParams(location.search);

const player = createPlayer({
  videoEl,
  streamId,
  onState: ({ mode, state, message }) => {
    videoEl.dataset.mode = mode;
    videoEl.dataset.state = state;
    modeLabel.textContent = `${mode === 'webrtc' ? 'WebRTC' : 'LL-HLS'}${message ? ` (${message})` : ''}`;
  },
});
window.player = player;

const modeLabel = el('span', { class: 'muted' });
const toggle = el('button', {
  class: 'secondary',
  type: 'button',
  text: 'Lowest latency (WebRTC)',
  onclick: () => {
    const next = player.mode === 'webrtc' ? 'hls' : 'webrtc';
    toggle.textContent = next === 'webrtc' ? 'Scale mode (LL-HLS)' : 'Lowest latency (WebRTC)';
    void player.start(next);
  },
});
const unmute = el('button', {
  class: 'secondary',
  type: 'button',
  text: '🔇 Unmute',
  onclick: () => {
    videoEl.muted = !videoEl.muted;
    unmute.textContent = videoEl.muted ? '🔇 Unmute' : '🔊 Mute';
  },
});
controls.replaceChildren(modeLabel, toggle, unmute);

api(`/api/streams/${streamId}`)
  .then((s) => {
    document.getElementById('title').textContent = s.title;
    document.title = `${s.title} · livecart`;
    statusEl.textContent = s.status;
    statusEl.classList.toggle('live', s.status === 'live');
    if (s.status !== 'created') void player.start(params.get('mode'));
    else waitUntilLive();
  })
  .catch((e) => {
    document.getElementById('title').textContent = `Stream not found (${e.message})`;
  });

window.liveRoom = mountLiveRoom({
  streamId,
  role: 'viewer',
  videoEl,
  getPlayerWallClock: () => player.wallClock(),
});

/** A stream that has not started yet: start playing as soon as it is live. */
function waitUntilLive() {
  const timer = setInterval(async () => {
    const s = await api(`/api/streams/${streamId}`).catch(() => null);
    if (!s || s.status === 'created') return;
    clearInterval(timer);
    statusEl.textContent = s.status;
    statusEl.classList.toggle('live', s.status === 'live');
    void player.start(params.get('mode'));
  }, 2000);
}
