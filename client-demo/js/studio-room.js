// Studio-only parts of the live room: moderation (per-message delete, mute,
// ban; slow mode; the word list) and the one-click pin panel (#pins).
// Loaded by live-room.js when mounted with role 'studio'. Text is rendered
// with textContent only.
import { api, auth, el } from './api.js';

const SLOW_MODES = [0, 3, 5, 10, 30, 60, 120];

function moderate(streamId, body) {
  return api(`/api/streams/${streamId}/moderation`, { method: 'POST', body });
}

/**
 * Adds the moderation panel to the chat box and the pin panel to #pins.
 * Returns { decorate(li, msg), destroy() }: live-room.js calls decorate for
 * every chat line it renders.
 */
export function mountStudioControls({ streamId, chatBox, systemLine }) {
  const me = auth.user;
  const status = el('div', { class: 'lc-chat-note', 'aria-live': 'polite' });
  const report = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle('lc-error', isError);
  };

  // ---- slow mode and word list -------------------------------------------------------
  const slow = el('select', { 'aria-label': 'Slow mode' });
  for (const s of SLOW_MODES)
    slow.append(el('option', { value: String(s), text: s === 0 ? 'Slow mode off' : `Slow mode: ${s} s` }));
  slow.addEventListener('change', async () => {
    try {
      const r = await moderate(streamId, { action: 'slow-mode', seconds: Number(slow.value) });
      report(r.slowModeSeconds ? `Slow mode on: ${r.slowModeSeconds} s.` : 'Slow mode off.');
    } catch (e) {
      report(e.message, true);
    }
  });
  const words = el('textarea', {
    rows: '2',
    placeholder: 'Hidden words, comma-separated',
    'aria-label': 'Hidden words',
  });
  words.style.cssText =
    'width:100%;background:#0f1115;color:var(--text);border:1px solid #2c3244;border-radius:6px;padding:.4rem';
  const saveWords = el('button', { type: 'button', text: 'Save words' });
  saveWords.addEventListener('click', async () => {
    const list = words.value
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean);
    try {
      const r = await moderate(streamId, { action: 'words', words: list });
      words.value = r.words.join(', ');
      report(
        r.words.length
          ? `${r.words.length} hidden word${r.words.length === 1 ? '' : 's'}.`
          : 'Word list cleared.',
      );
    } catch (e) {
      report(e.message, true);
    }
  });
  const panel = el(
    'details',
    { class: 'lc-modpanel' },
    el('summary', { text: 'Moderation' }),
    el('div', { class: 'lc-modrow' }, slow),
    words,
    el('div', { class: 'lc-modrow' }, saveWords),
    status,
  );
  panel.style.cssText = 'padding:.5rem .8rem;border-bottom:1px solid #232838;display:block';
  chatBox?.querySelector('.lc-chat-head')?.after(panel);
  api(`/api/streams/${streamId}/moderation`)
    .then((s) => {
      slow.value = String(SLOW_MODES.includes(s.slowModeSeconds) ? s.slowModeSeconds : 0);
      words.value = s.words.join(', ');
    })
    .catch((e) => report(`Moderation settings: ${e.message}`, true));

  // ---- per-message actions -----------------------------------------------------------
  function decorate(li, msg) {
    if (me && msg.user.id === me.id) return;
    const act = async (label, body, after) => {
      try {
        await moderate(streamId, body);
        report(after);
      } catch (e) {
        report(`${label}: ${e.message}`, true);
      }
    };
    const name = msg.user.name;
    li.append(
      el(
        'span',
        { class: 'lc-mod' },
        el('button', {
          type: 'button',
          text: 'Delete',
          title: 'Delete this message',
          onclick: () => act('Delete', { action: 'delete', messageId: msg.id }, 'Message deleted.'),
        }),
        el('button', {
          type: 'button',
          text: 'Mute 10m',
          title: `Mute ${name} for 10 minutes`,
          onclick: () =>
            act(
              'Mute',
              { action: 'mute', userId: msg.user.id, minutes: 10 },
              `${name} is muted for 10 minutes.`,
            ),
        }),
        el('button', {
          type: 'button',
          text: 'Ban',
          title: `Ban ${name} from this chat`,
          onclick: () =>
            act('Ban', { action: 'ban', userId: msg.user.id }, `${name} is banned from this chat.`),
        }),
      ),
    );
  }

  const pins = mountPinPanel({ streamId, systemLine });
  return { decorate, destroy: () => pins.destroy() };
}

/** One-click pinning from the stream's shop (POST/DELETE /api/streams/:id/pins). */
function mountPinPanel({ streamId }) {
  const box = document.getElementById('pins');
  if (!box) return { destroy() {} };
  const msg = el('div', { class: 'muted', 'aria-live': 'polite' });
  const rows = el('div', { class: 'lc-pin-rows' });
  const salePrice = el('input', {
    type: 'number',
    min: '0',
    step: '0.01',
    placeholder: 'Sale price',
    'aria-label': 'Sale price',
  });
  const saleStock = el('input', {
    type: 'number',
    min: '1',
    step: '1',
    placeholder: 'Units',
    'aria-label': 'Sale units',
  });
  const minutes = el('input', {
    type: 'number',
    min: '1',
    step: '1',
    placeholder: 'Minutes',
    'aria-label': 'Sale minutes',
  });
  for (const i of [salePrice, saleStock, minutes]) i.style.cssText = 'width:6.5rem;margin-right:.35rem';
  let current = null;
  const unpinBtn = el('button', { type: 'button', text: 'Unpin' });
  unpinBtn.disabled = true;
  box.replaceChildren(
    el('h2', { text: 'Pin a product', style: 'font-size:1rem;margin:0 0 .5rem' }),
    el('div', { class: 'muted', text: 'Optional flash sale for the next pin:' }),
    el('div', { style: 'margin:.35rem 0 .6rem' }, salePrice, saleStock, minutes, unpinBtn),
    rows,
    msg,
  );

  unpinBtn.addEventListener('click', async () => {
    if (!current) return;
    try {
      await api(`/api/streams/${streamId}/pins/${current}`, { method: 'DELETE' });
      msg.textContent = 'Unpinned.';
      current = null;
      unpinBtn.disabled = true;
    } catch (e) {
      msg.textContent = `Unpin: ${e.message}`;
    }
  });

  async function pin(product) {
    const body = { productId: product.id };
    if (salePrice.value !== '') body.salePriceCents = Math.round(Number(salePrice.value) * 100);
    if (saleStock.value !== '') body.saleStock = Number(saleStock.value);
    if (minutes.value !== '')
      body.endsAt = new Date(Date.now() + Number(minutes.value) * 60_000).toISOString();
    try {
      const p = await api(`/api/streams/${streamId}/pins`, { method: 'POST', body });
      current = p.pinId;
      unpinBtn.disabled = false;
      msg.textContent = `Pinned ${p.title}.`;
    } catch (e) {
      msg.textContent = `Pin: ${e.message}`;
    }
  }

  (async () => {
    try {
      const stream = await api(`/api/streams/${streamId}`);
      if (!stream.merchantId) {
        msg.textContent = 'This stream has no shop: create it with a merchant to pin products.';
        return;
      }
      const page = await api(`/api/products?merchantId=${encodeURIComponent(stream.merchantId)}&limit=100`);
      if (page.items.length === 0) msg.textContent = 'The shop has no products yet.';
      rows.replaceChildren(
        ...page.items.map((p) =>
          el(
            'div',
            {
              style:
                'display:flex;justify-content:space-between;align-items:center;padding:.25rem 0;border-bottom:1px solid #232838',
            },
            el('span', {
              text: `${p.title} · ${(p.priceCents / 100).toFixed(2)} ${p.currency} · ${p.stock} in stock`,
            }),
            el('button', { type: 'button', text: 'Pin', onclick: () => void pin(p) }),
          ),
        ),
      );
      const history = await api(`/api/streams/${streamId}/pins`).catch(() => null);
      const open = history?.items?.filter((h) => !h.unpinnedAt).at(-1);
      if (open) {
        current = open.pinId;
        unpinBtn.disabled = false;
      }
    } catch (e) {
      msg.textContent = `Products: ${e.message}`;
    }
  })();
  return { destroy() {} };
}
