// The streamer's studio: create a stream, pick camera and microphone, see a
// preview, go live from the browser over WHIP (or copy the WHIP URL and
// stream key into OBS), watch state, elapsed time and viewers, and end.
// The live room (chat, moderation, pins) is mounted beside it.
import { api, auth, el, renderHeader } from './api.js';
import { mountLiveRoom } from './live-room.js';
import { whipPublish } from './whip.js';

renderHeader();
const panel = document.getElementById('broadcast');
const preview = document.getElementById('preview');
const keyStore = {
  get: (id) => localStorage.getItem(`livecart.streamKey.${id}`),
  set: (id, key) => localStorage.setItem(`livecart.streamKey.${id}`, key),
};

const user = auth.user;
if (!user || !(user.roles.includes('streamer') || user.roles.includes('admin'))) {
  panel.replaceChildren(
    el('p', {
      text: user
        ? 'The studio is for streamers. Ask an admin for the streamer role.'
        : 'Sign in as a streamer to go live.',
    }),
    el('a', { href: '/login?next=/studio', text: 'Sign in' }),
  );
} else {
  void main();
}

let media = null;
let session = null;
let stream = null;
let liveRoom = null;
let clock = null;

async function openDevices(cameraId, micId) {
  media?.getTracks().forEach((t) => t.stop());
  media = await navigator.mediaDevices.getUserMedia({
    video: cameraId
      ? { deviceId: { exact: cameraId }, width: 1280, height: 720 }
      : { width: 1280, height: 720 },
    audio: micId ? { deviceId: { exact: micId } } : true,
  });
  preview.srcObject = media;
  await preview.play().catch(() => undefined);
}

function field(label, value, secret = false) {
  const input = el('input', {
    value,
    readonly: 'readonly',
    type: secret ? 'password' : 'text',
    'aria-label': label,
    style: 'flex:1',
  });
  const buttons = [
    el('button', {
      class: 'secondary',
      type: 'button',
      text: 'Copy',
      onclick: () => navigator.clipboard?.writeText(value),
    }),
  ];
  if (secret)
    buttons.unshift(
      el('button', {
        class: 'secondary',
        type: 'button',
        text: 'Show',
        onclick: (e) => {
          input.type = input.type === 'password' ? 'text' : 'password';
          e.target.textContent = input.type === 'password' ? 'Show' : 'Hide';
        },
      }),
    );
  return el(
    'label',
    { style: 'display:flex;gap:.5rem;align-items:center;margin:.3rem 0' },
    el('span', { text: label, style: 'width:7rem' }),
    input,
    ...buttons,
  );
}

async function main() {
  const mine = await api('/api/streams?mine=1&limit=20');
  stream = mine.items.find((s) => s.status !== 'ended') ?? null;
  render();
}

function render() {
  if (!stream) return renderCreate();
  const key = keyStore.get(stream.id);
  const state = el('span', {
    id: 'broadcast-state',
    class: `badge ${stream.status === 'live' ? 'live' : ''}`,
    text: stream.status,
  });
  const elapsed = el('span', { id: 'elapsed', class: 'muted' });
  const viewers = el('span', { id: 'viewers', class: 'muted' });
  const error = el('div', { class: 'error', role: 'alert' });
  const camera = el('select', { 'aria-label': 'Camera' });
  const mic = el('select', { 'aria-label': 'Microphone' });
  const goLive = el('button', { id: 'go-live', type: 'button', text: 'Go live' });
  const end = el('button', { id: 'end', class: 'secondary', type: 'button', text: 'End stream' });

  const tick = () => {
    if (!stream.startedAt) return;
    const s = Math.max(0, Math.floor((Date.now() - Date.parse(stream.startedAt)) / 1000));
    elapsed.textContent = `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  clearInterval(clock);
  clock = setInterval(tick, 1000);
  tick();

  const keyRow = key
    ? field('Stream key', key, true)
    : el(
        'div',
        {},
        el('span', { class: 'muted', text: 'The stream key is shown once. ' }),
        el('button', { class: 'secondary', type: 'button', text: 'New stream key', onclick: rotate }),
      );
  panel.replaceChildren(
    el(
      'div',
      { style: 'display:flex;gap:.75rem;align-items:center;flex-wrap:wrap' },
      el('strong', { text: stream.title }),
      state,
      elapsed,
      viewers,
    ),
    el('div', { style: 'display:flex;gap:.5rem;margin:.6rem 0;flex-wrap:wrap' }, camera, mic, goLive, end),
    error,
    el(
      'details',
      {},
      el('summary', { text: 'Stream from OBS (WHIP)' }),
      field('WHIP URL', stream.whipUrl),
      keyRow,
      el('p', {
        class: 'muted',
        text: 'OBS 30+: Settings → Stream → Service: WHIP; paste the URL and the key as Bearer Token.',
      }),
    ),
  );

  const setState = (text, live = false) => {
    state.textContent = text;
    state.classList.toggle('live', live);
  };
  navigator.mediaDevices.enumerateDevices().then(async (devices) => {
    for (const d of devices) {
      const opt = el('option', { value: d.deviceId, text: d.label || d.kind });
      if (d.kind === 'videoinput') camera.append(opt);
      if (d.kind === 'audioinput') mic.append(opt);
    }
    await openDevices(camera.value, mic.value).catch((e) => {
      error.textContent = `Camera/microphone: ${e.message}`;
    });
  });
  camera.onchange = mic.onchange = () =>
    openDevices(camera.value, mic.value).catch((e) => {
      error.textContent = e.message;
    });

  goLive.onclick = async () => {
    error.textContent = '';
    const streamKey = keyStore.get(stream.id);
    if (!streamKey) {
      error.textContent = 'No stream key in this browser: make a new one first.';
      return;
    }
    if (!media) await openDevices(camera.value, mic.value);
    goLive.disabled = true;
    setState('connecting');
    try {
      // Same origin as the page (the advertised whipUrl is for OBS and may name a public host).
      session = await whipPublish(`/whip/${stream.id}`, streamKey, media);
      session.pc.addEventListener('connectionstatechange', () => {
        const st = session?.pc.connectionState;
        if (st === 'connected') setState('live', true);
        if (st === 'failed' || st === 'disconnected') {
          setState(st);
          error.textContent = 'Connection lost.';
          goLive.disabled = false;
        }
      });
      stream = await api(`/api/streams/${stream.id}`);
      tick();
    } catch (e) {
      error.textContent = e.message;
      setState(stream.status);
      goLive.disabled = false;
    }
  };
  end.onclick = async () => {
    end.disabled = true;
    try {
      if (session) await session.stop();
      session = null;
      stream = await api(`/api/streams/${stream.id}/end`, { method: 'POST' });
      setState('ended');
      clearInterval(clock);
      liveRoom?.destroy?.();
      panel.append(
        el('button', {
          type: 'button',
          text: 'Start a new stream',
          onclick: () => {
            stream = null;
            render();
          },
        }),
      );
    } catch (e) {
      error.textContent = e.message;
      end.disabled = false;
    }
  };

  liveRoom?.destroy?.();
  liveRoom = mountLiveRoom({
    streamId: stream.id,
    role: 'studio',
    videoEl: preview,
    getPlayerWallClock: () => null,
  });
  window.studio = {
    stream,
    get session() {
      return session;
    },
  };
}

async function rotate() {
  const r = await api(`/api/streams/${stream.id}/key`, { method: 'POST' });
  keyStore.set(stream.id, r.streamKey);
  render();
}

function renderCreate() {
  const title = el('input', {
    name: 'title',
    placeholder: 'What are you showing today?',
    maxlength: '140',
    required: 'required',
  });
  const merchant = el('input', { name: 'merchantId', placeholder: 'Shop (merchant id, optional)' });
  const error = el('div', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'stack', id: 'create-stream' },
    title,
    merchant,
    el('button', { type: 'submit', text: 'Create stream' }),
    error,
  );
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const body = { title: title.value };
      if (merchant.value.trim()) body.merchantId = merchant.value.trim();
      const created = await api('/api/streams', { method: 'POST', body });
      keyStore.set(created.id, created.streamKey);
      stream = created;
      render();
    } catch (e) {
      error.textContent = e.message;
    }
  };
  panel.replaceChildren(el('h1', { text: 'New stream' }), form);
}
