// Minimal watch page entry (placeholder until the player lands): the live
// room only, without video. The media engineer replaces this file with the
// player and keeps the mountLiveRoom call, passing the player's wall clock.
import { api, renderHeader } from './api.js';
import { mountLiveRoom } from './live-room.js';

renderHeader();
const streamId = location.pathname.split('/').filter(Boolean).pop();
api(`/api/streams/${streamId}`)
  .then((s) => {
    document.getElementById('title').textContent = s.title;
    document.title = `${s.title} · livecart`;
  })
  .catch(() => undefined);
window.liveRoom = mountLiveRoom({
  streamId,
  role: 'viewer',
  videoEl: document.getElementById('video'),
  getPlayerWallClock: () => null,
});
