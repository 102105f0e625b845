// The live room in the browser: chat, viewer count, reactions with floating
// hearts, and the product overlay (timed to the video for HLS viewers).
// Everything user-provided is rendered with textContent, never innerHTML.
//
// Usage (watch.js / studio.js):
//   mountLiveRoom({ streamId, role: 'viewer' | 'studio', videoEl, getPlayerWallClock })
// getPlayerWallClock() returns the wall-clock Date the video currently shows
// (HLS program-date-time), or null for real-time (WebRTC) playback.
import { auth, el, freshToken, refreshSession } from './api.js';
import { countdown, pinVisible } from './pin-timing.js';

const REACTIONS = [
  { kind: 'like', label: '♥', title: 'Like' },
  { kind: 'fire', label: '🔥', title: 'Fire' },
  { kind: 'clap', label: '👏', title: 'Clap' },
  { kind: 'laugh', label: '😂', title: 'Laugh' },
  { kind: 'wow', label: '😮', title: 'Wow' },
];
const EMOJI = { like: '♥', heart: '❤', fire: '🔥', clap: '👏', laugh: '😂', wow: '😮' };
const MAX_LINES = 200;
const MAX_HEARTS = 40;

const STYLES = `
.lc-chat-head{display:flex;justify-content:space-between;align-items:center;padding:.6rem .8rem;border-bottom:1px solid #232838;font-weight:600}
.lc-chat-list{list-style:none;margin:0;padding:.5rem .8rem;overflow-y:auto;flex:1;display:flex;flex-direction:column;gap:.3rem;word-break:break-word}
.lc-line{line-height:1.35}
.lc-line .lc-name{font-weight:600;color:#8ab4ff;margin-right:.35rem}
.lc-line.lc-mine .lc-name{color:var(--accent)}
.lc-line.lc-system{color:var(--muted);font-style:italic}
.lc-line.lc-hidden{opacity:.55}
.lc-line .lc-note{display:block;font-size:.75rem;color:var(--muted)}
.lc-mod{margin-left:.4rem;display:none;gap:.25rem}
.lc-line:hover .lc-mod,.lc-line:focus-within .lc-mod{display:inline-flex}
.lc-mod button{font-size:.7rem;padding:.05rem .35rem;background:#2c3244;color:var(--text);border:0;border-radius:4px;cursor:pointer}
.lc-chat-form{display:flex;gap:.4rem;padding:.6rem .8rem;border-top:1px solid #232838}
.lc-chat-form input{flex:1;min-width:0;background:#0f1115;color:var(--text);border:1px solid #2c3244;border-radius:6px;padding:.45rem .55rem}
.lc-chat-form button,.lc-react button,.lc-card button{background:var(--accent);color:#fff;border:0;border-radius:6px;padding:.45rem .8rem;font-weight:600;cursor:pointer}
.lc-chat-form button:disabled,.lc-card button:disabled{opacity:.5;cursor:default}
.lc-chat-note{padding:0 .8rem .5rem;font-size:.8rem;color:var(--muted);min-height:1em}
.lc-chat-note.lc-error{color:#ff8a8a}
.lc-react{display:inline-flex;gap:.3rem}
.lc-react button{background:#2c3244;padding:.3rem .55rem;font-size:1rem}
.lc-react .lc-like{background:var(--accent)}
.lc-heart{position:absolute;bottom:0;font-size:1.6rem;animation:lc-float 2.2s ease-out forwards;pointer-events:none}
@keyframes lc-float{0%{transform:translate(0,0) scale(.6);opacity:0}15%{opacity:1}100%{transform:translate(var(--lc-dx),-220px) scale(1.1);opacity:0}}
.lc-card{display:flex;gap:.7rem;background:rgba(15,17,21,.92);border:1px solid #2c3244;border-radius:10px;padding:.6rem;align-items:center;box-shadow:0 6px 24px rgba(0,0,0,.4)}
.lc-card img{width:72px;height:72px;object-fit:cover;border-radius:6px;background:#222}
.lc-card .lc-title{font-weight:600}
.lc-card .lc-price{font-size:1.1rem;font-weight:700;margin:.15rem 0}
.lc-card .lc-price s{color:var(--muted);font-weight:400;font-size:.9rem;margin-left:.35rem}
.lc-card .lc-meta{font-size:.8rem;color:var(--muted);display:flex;gap:.6rem}
.lc-card .lc-countdown{color:#ffd36b;font-variant-numeric:tabular-nums}
.lc-card .lc-msg{font-size:.8rem;color:#ff8a8a}
`;

function injectStyles() {
  if (document.getElementById('lc-live-room-css')) return;
  const style = document.createElement('style');
  style.id = 'lc-live-room-css';
  style.textContent = STYLES;
  document.head.append(style);
}

/** A stable id for this browser, so its tabs and reconnects count as one anonymous viewer. */
function deviceId() {
  let id = localStorage.getItem('livecart.device');
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem('livecart.device', id);
  }
  return id;
}

/** Formats minor units of an ISO currency (cents, or whatever the currency's exponent is). */
export function formatMoney(minor, currency) {
  try {
    const f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
    return f.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/**
 * Mounts the live room on the page's containers (#chat, #overlay, #hearts,
 * #viewers, #status, #gmv; each is optional) and connects to `/live`.
 * Returns a handle: { socket (a promise), send(text), react(kind), destroy() }.
 */
export function mountLiveRoom({
  streamId,
  role = 'viewer',
  videoEl = null,
  getPlayerWallClock = () => null,
} = {}) {
  injectStyles();
  const $ = (id) => document.getElementById(id);
  const box = {
    chat: $('chat'),
    overlay: $('overlay'),
    hearts: $('hearts'),
    viewers: $('viewers'),
    status: $('status'),
    gmv: $('gmv'),
  };
  const me = auth.user;
  const state = { likes: 0, pin: null, shownPin: null, ownClicks: 0, ended: false, staff: false, mod: null };
  let socket = null;
  let destroyed = false;
  let onToken = null;
  const timers = [];

  // ---- chat panel ----------------------------------------------------------------
  const viewerCount = el('span', { class: 'muted', text: '' });
  const list = el('ol', {
    class: 'lc-chat-list',
    role: 'log',
    'aria-live': 'polite',
    'aria-label': 'Chat messages',
  });
  const input = el('input', {
    type: 'text',
    maxlength: '500',
    placeholder: 'Say something…',
    'aria-label': 'Chat message',
  });
  const sendBtn = el('button', { type: 'submit', text: 'Send' });
  const note = el('div', { class: 'lc-chat-note', 'aria-live': 'polite' });
  const form = el('form', { class: 'lc-chat-form' }, input, sendBtn);
  if (box.chat) {
    box.chat.replaceChildren(
      el('div', { class: 'lc-chat-head' }, el('span', { text: 'Chat' }), viewerCount),
      list,
    );
    if (me) box.chat.append(form, note);
    else {
      const back = encodeURIComponent(location.pathname);
      box.chat.append(
        el(
          'div',
          { class: 'lc-chat-note' },
          el('a', { href: `/login?next=${back}`, text: 'Sign in' }),
          ' to chat.',
        ),
        note,
      );
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void send(input.value);
  });

  function showNote(text, isError = false) {
    note.textContent = text;
    note.classList.toggle('lc-error', isError);
  }

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  }

  function addLine(li) {
    const stick = nearBottom();
    list.append(li);
    while (list.children.length > MAX_LINES) list.firstElementChild.remove();
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function renderMessage(msg, extra = {}) {
    if (list.querySelector(`[data-id="${CSS.escape(msg.id)}"]`)) return;
    const li = el(
      'li',
      {
        class: `lc-line${me && msg.user.id === me.id ? ' lc-mine' : ''}${extra.hidden ? ' lc-hidden' : ''}`,
        'data-id': msg.id,
        title: new Date(msg.at).toLocaleTimeString(),
      },
      el('span', { class: 'lc-name', text: msg.user.name }),
      el('span', { class: 'lc-text', text: msg.text }),
    );
    if (extra.hidden)
      li.append(
        el('span', { class: 'lc-note', text: "Only you can see this: it matches the stream's word filter." }),
      );
    state.mod?.decorate(li, msg);
    addLine(li);
  }

  function systemLine(text) {
    addLine(el('li', { class: 'lc-line lc-system', text }));
  }

  async function send(raw) {
    const text = raw.trim();
    if (!text || !socket) return;
    sendBtn.disabled = true;
    try {
      const res = await socket.timeout(5000).emitWithAck('chat:send', { text });
      if (res.error) return showNote(res.error.message, true);
      input.value = '';
      showNote(state.slowMode ? `Slow mode: one message every ${state.slowMode} s.` : '');
      renderMessage(res.message, { hidden: res.hidden });
    } catch {
      showNote('The server did not answer; check your connection.', true);
    } finally {
      sendBtn.disabled = state.ended;
    }
  }

  // ---- viewers, status, reactions --------------------------------------------------
  function setViewers(n) {
    const text = `${n} watching`;
    if (box.viewers) box.viewers.textContent = text;
    viewerCount.textContent = text;
  }

  function setStatus(status) {
    state.ended = status === 'ended';
    if (box.status) {
      box.status.textContent = status === 'live' ? 'Live' : status === 'ended' ? 'Ended' : 'Starting soon';
      box.status.classList.toggle('live', status === 'live');
    }
    sendBtn.disabled = state.ended;
    input.disabled = state.ended;
  }

  const likeCount = el('span', { text: '0' });
  const reactBar = el('span', { class: 'lc-react' });
  for (const r of REACTIONS) {
    const b = el(
      'button',
      {
        type: 'button',
        class: r.kind === 'like' ? 'lc-like' : '',
        title: r.title,
        'aria-label': r.title,
        onclick: () => react(r.kind),
      },
      r.label,
    );
    if (r.kind === 'like') b.append(' ', likeCount);
    reactBar.append(b);
  }
  if (role === 'viewer') {
    if (box.viewers?.parentElement) box.viewers.after(reactBar);
    else box.chat?.querySelector('.lc-chat-head')?.append(reactBar);
  }

  function setLikes(n) {
    state.likes = n;
    likeCount.textContent = String(n);
  }

  function floatHeart(kind) {
    if (!box.hearts || box.hearts.childElementCount >= MAX_HEARTS) return;
    const h = el('span', { class: 'lc-heart', text: EMOJI[kind] ?? '♥' });
    h.style.left = `${Math.round(Math.random() * 30)}px`;
    h.style.setProperty('--lc-dx', `${Math.round(Math.random() * 40 - 20)}px`);
    h.style.color = kind === 'like' ? 'var(--accent)' : '';
    h.addEventListener('animationend', () => h.remove());
    box.hearts.append(h);
  }

  function react(kind) {
    if (!socket) return;
    socket.emit('reaction:send', { kind });
    state.ownClicks++;
    floatHeart(kind); // at once for the clicker; the room sees it in the next window
  }

  function onReactions({ counts }) {
    let own = state.ownClicks;
    for (const [kind, n] of Object.entries(counts)) {
      if (kind === 'like') setLikes(state.likes + n);
      const mine = Math.min(own, n);
      own -= mine;
      for (let i = 0; i < Math.min(n - mine, 8); i++) setTimeout(() => floatHeart(kind), i * 90);
    }
    state.ownClicks = own;
  }

  // ---- the product overlay -------------------------------------------------------
  function renderPin() {
    const pin = state.shownPin;
    if (!box.overlay) return;
    if (!pin) return box.overlay.replaceChildren();
    const saleOn = pin.salePriceCents !== null && !(pin.endsAt && countdown(pin.endsAt).ended);
    const price = el('div', { class: 'lc-price' });
    if (saleOn)
      price.append(
        el('span', { text: formatMoney(pin.salePriceCents, pin.currency) }),
        el('s', { text: formatMoney(pin.priceCents, pin.currency) }),
      );
    else price.append(el('span', { text: formatMoney(pin.priceCents, pin.currency) }));
    const meta = el('div', { class: 'lc-meta' });
    const cd = countdown(pin.endsAt);
    if (cd)
      meta.append(
        el('span', { class: 'lc-countdown', text: cd.ended ? 'Sale ended' : `Ends in ${cd.text}` }),
      );
    meta.append(
      el('span', { class: 'lc-left', text: pin.remaining > 0 ? `${pin.remaining} left` : 'Sold out' }),
    );
    const msg = el('div', { class: 'lc-msg', 'aria-live': 'polite' });
    const buy = el('button', { type: 'button', text: pin.remaining > 0 ? 'Buy' : 'Sold out' });
    buy.disabled = pin.remaining <= 0 || role !== 'viewer';
    buy.addEventListener('click', () => void buyPinned(pin, msg));
    const card = el('div', { class: 'lc-card', 'data-pin': pin.pinId });
    if (pin.imageUrl) card.append(el('img', { src: pin.imageUrl, alt: pin.title }));
    card.append(
      el(
        'div',
        { class: 'lc-body' },
        el('div', { class: 'lc-title', text: pin.title }),
        price,
        meta,
        buy,
        msg,
      ),
    );
    box.overlay.replaceChildren(card);
  }

  async function buyPinned(pin, msg) {
    msg.textContent = '';
    let mod;
    try {
      mod = await import('/js/checkout.js');
    } catch {
      mod = null;
    }
    if (!mod || typeof mod.openCheckout !== 'function') {
      msg.textContent = 'Checkout is not available on this server yet.';
      return;
    }
    try {
      await mod.openCheckout({ streamId, pin });
    } catch (e) {
      msg.textContent = e?.message ?? 'Checkout failed.';
    }
  }

  /** Shows the pending pin once the viewer's video reaches the moment it was pinned. */
  function syncPin() {
    const pin = state.pin;
    let clock = null;
    try {
      clock = getPlayerWallClock?.() ?? null;
    } catch {
      clock = null;
    }
    const show = pin && pinVisible(pin.pinnedAt, clock) ? pin : null;
    const changed = show?.pinId !== state.shownPin?.pinId || show?.remaining !== state.shownPin?.remaining;
    state.shownPin = show;
    if (changed) renderPin();
    else if (show?.endsAt) {
      const cdEl = box.overlay?.querySelector('.lc-countdown');
      const cd = countdown(show.endsAt);
      if (cdEl && cd) {
        if (cd.ended && cdEl.textContent !== 'Sale ended') renderPin();
        else cdEl.textContent = cd.ended ? 'Sale ended' : `Ends in ${cd.text}`;
      }
    }
  }
  timers.push(setInterval(syncPin, 250));

  function setPin(pin) {
    state.pin = pin;
    syncPin();
  }

  // ---- the socket ----------------------------------------------------------------
  function applyState(s) {
    list.replaceChildren();
    for (const m of s.messages) renderMessage(m);
    setViewers(s.viewers);
    setStatus(s.status);
    setLikes(s.likes);
    state.staff = s.staff;
    state.slowMode = s.slowModeSeconds;
    if (s.slowModeSeconds) showNote(`Slow mode: one message every ${s.slowModeSeconds} s.`);
    setPin(s.pinned);
  }

  async function joinRoom() {
    try {
      const res = await socket.timeout(8000).emitWithAck('join', { streamId, deviceId: deviceId() });
      if (res.error) return showNote(res.error.message, true);
      applyState(res);
    } catch {
      showNote('Could not join the room; retrying…', true);
      setTimeout(() => socket?.connected && void joinRoom(), 2000);
    }
  }

  const ready = (async () => {
    let io;
    try {
      ({ io } = await import('/socket.io/socket.io.esm.min.js'));
    } catch {
      showNote('Live chat is unavailable (socket.io client not served).', true);
      return null;
    }
    if (role === 'studio') {
      try {
        const { mountStudioControls } = await import('./studio-room.js');
        state.mod = mountStudioControls({ streamId, chatBox: box.chat, systemLine });
      } catch (e) {
        systemLine(`Moderation controls failed to load: ${e?.message ?? e}`);
      }
    }
    if (destroyed) return null;
    // The handshake reads the freshest access token at every (re)connect.
    let anonymous = false;
    socket = io('/live', {
      auth: (cb) => {
        if (anonymous || !auth.token) return cb({});
        void freshToken().then((token) => cb(token ? { token } : {}));
      },
      transports: ['websocket', 'polling'],
    });
    // A renewed access token renews the socket's sign-in before the old one expires.
    onToken = (ev) => {
      if (socket.connected && !anonymous) socket.emit('auth', { token: ev.detail }, () => undefined);
    };
    window.addEventListener('livecart:token', onToken);
    // The server ends a socket whose token expired or was revoked: renew, then reconnect.
    socket.on('session:ended', async () => {
      const token = await refreshSession();
      if (!token) {
        anonymous = true;
        showNote('Your session has ended; sign in again to chat.', true);
      }
      socket.connect();
    });
    socket.on('connect', () => {
      showNote('');
      void joinRoom();
    });
    socket.on('connect_error', (err) => {
      if (String(err?.message).startsWith('unauthorized') && !anonymous) {
        // A session that cannot be renewed: watch anonymously rather than not at all.
        anonymous = true;
        showNote('Your session has expired; sign in again to chat.', true);
        socket.connect();
      }
    });
    socket.on('disconnect', () => showNote('Reconnecting…'));
    socket.on('chat:message', (m) => renderMessage(m));
    socket.on('chat:messages', ({ messages }) => messages.forEach((m) => renderMessage(m)));
    socket.on('chat:deleted', ({ id }) => list.querySelector(`[data-id="${CSS.escape(id)}"]`)?.remove());
    socket.on('viewers', ({ count }) => setViewers(count));
    socket.on('reactions', onReactions);
    socket.on('product:pinned', ({ pin }) => setPin(pin));
    socket.on('product:unpinned', ({ pinId }) => {
      if (state.pin?.pinId === pinId) setPin(null);
    });
    socket.on('stock', ({ productId, remaining }) => {
      if (state.pin?.productId === productId) setPin({ ...state.pin, remaining });
    });
    socket.on('order:placed', ({ buyer, productTitle }) =>
      systemLine(`${buyer} just bought ${productTitle}`),
    );
    socket.on('stream:status', ({ status }) => {
      setStatus(status);
      if (status === 'ended') systemLine('The stream has ended.');
      if (status === 'live') systemLine('The stream is live.');
    });
    socket.on('gmv:update', ({ currency, gmvCents, orders }) => {
      if (box.gmv)
        box.gmv.textContent = `GMV ${formatMoney(gmvCents, currency)} · ${orders} order${orders === 1 ? '' : 's'}`;
    });
    return socket;
  })();

  return {
    socket: ready,
    send,
    react,
    /** The video element the overlay is timed against (kept for callers that swap players). */
    videoEl,
    destroy() {
      destroyed = true;
      for (const t of timers) clearInterval(t);
      if (onToken) window.removeEventListener('livecart:token', onToken);
      socket?.disconnect();
      state.mod?.destroy?.();
    },
  };
}
