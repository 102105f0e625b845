// The Buy flow the live overlay calls: openCheckout({ streamId, pin }).
// Quantity → order (with an Idempotency-Key, so a retried click never makes a
// second order) → the payment provider's page → the result. Everything
// user-provided is rendered with textContent.
import { api, auth, el } from '/js/api.js';

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

const STYLE = `
.co-backdrop{position:fixed;inset:0;background:rgba(0,0,0,.6);display:flex;align-items:center;justify-content:center;z-index:1000}
.co-box{background:var(--panel,#171a21);color:var(--text,#e8eaf0);border:1px solid #232838;border-radius:12px;width:min(440px,94vw);max-height:94vh;overflow:auto;padding:1rem 1.1rem;display:flex;flex-direction:column;gap:.7rem}
.co-head{display:flex;justify-content:space-between;align-items:center;gap:1rem}
.co-head h2{font-size:1.1rem;margin:0}
.co-close{background:#2c3244;padding:.2rem .6rem}
.co-row{display:flex;justify-content:space-between;align-items:center;gap:.6rem}
.co-price s{color:var(--muted,#98a0b3);margin-left:.4rem}
.co-qty{width:5rem}
.co-frame{width:100%;height:360px;border:0;border-radius:8px;background:#fff}
.co-result{font-weight:600}
.co-result.ok{color:var(--ok,#2ecc71)}
.co-msg{color:#ff8080;min-height:1.2em}
`;

function ensureStyle() {
  if (document.getElementById('co-style')) return;
  const s = document.createElement('style');
  s.id = 'co-style';
  s.textContent = STYLE;
  document.head.append(s);
}

function newKey() {
  return globalThis.crypto?.randomUUID?.() ?? `k-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Opens the checkout dialog for a pinned product. Resolves with the order when
 * the dialog closes (null if none was placed); throws only if the dialog
 * cannot open.
 */
export function openCheckout({ streamId, pin }) {
  ensureStyle();
  return new Promise((resolve) => {
    let order = null;
    let pollTimer = null;
    let closed = false;
    const onMessage = (ev) => {
      if (ev.origin !== location.origin || ev.data?.type !== 'livecart:checkout') return;
      void refresh();
    };

    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(pollTimer);
      window.removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKey);
      backdrop.remove();
      resolve(order);
    };
    const onKey = (e) => {
      if (e.key === 'Escape') close();
    };

    const body = el('div', { class: 'co-body' });
    const msg = el('div', { class: 'co-msg', role: 'alert' });
    const box = el(
      'div',
      { class: 'co-box', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Checkout' },
      el(
        'div',
        { class: 'co-head' },
        el('h2', { text: pin.title }),
        el('button', { type: 'button', class: 'co-close', text: 'Close', onclick: close }),
      ),
      body,
      msg,
    );
    const backdrop = el('div', { class: 'co-backdrop', 'data-testid': 'checkout' }, box);
    backdrop.addEventListener('click', (e) => {
      if (e.target === backdrop) close();
    });
    document.addEventListener('keydown', onKey);
    window.addEventListener('message', onMessage);
    document.body.append(backdrop);

    if (!auth.token) {
      body.replaceChildren(
        el('p', { text: 'Sign in to buy.' }),
        el('a', { href: `/login?next=${encodeURIComponent(location.pathname)}`, text: 'Sign in' }),
      );
      return;
    }

    // ---- step 1: quantity ---------------------------------------------------
    const onSale = pin.salePriceCents !== null && pin.salePriceCents !== undefined;
    const unit = onSale ? pin.salePriceCents : pin.priceCents;
    const max = Math.max(1, Math.min(100, pin.remaining ?? 100, pin.perBuyerLimit ?? 100));
    const qty = el('input', { type: 'number', min: '1', max: String(max), value: '1', class: 'co-qty' });
    qty.setAttribute('aria-label', 'Quantity');
    const total = el('strong');
    const price = el('span', { class: 'co-price', text: formatMoney(unit, pin.currency) });
    if (onSale) price.append(el('s', { text: formatMoney(pin.priceCents, pin.currency) }));
    const place = el('button', { type: 'button', text: 'Place order' });
    const showTotal = () => {
      const q = Math.max(1, Math.min(max, Math.floor(Number(qty.value) || 1)));
      total.textContent = formatMoney(unit * q, pin.currency);
      return q;
    };
    qty.addEventListener('input', showTotal);
    showTotal();
    const rows = [
      el('div', { class: 'co-row' }, el('span', { text: 'Price' }), price),
      el('div', { class: 'co-row' }, el('label', { text: 'Quantity' }), qty),
      el('div', { class: 'co-row' }, el('span', { text: 'Total (confirmed by the shop)' }), total),
    ];
    if (pin.perBuyerLimit)
      rows.push(el('div', { class: 'muted', text: `Limit ${pin.perBuyerLimit} per buyer` }));
    body.replaceChildren(...rows, place);

    // One key per attempt: a retried click (e.g. after a network error) with
    // the same quantity reuses it and gets the same order back.
    let attempt = null;
    place.addEventListener('click', async () => {
      msg.textContent = '';
      const quantity = showTotal();
      if (!attempt || attempt.quantity !== quantity) attempt = { quantity, key: newKey() };
      place.disabled = true;
      try {
        order = await api('/api/orders', {
          method: 'POST',
          headers: { 'Idempotency-Key': attempt.key },
          body: { streamId, items: [{ productId: pin.productId, quantity }] },
        });
        await pay();
      } catch (e) {
        msg.textContent = e?.message ?? 'Could not place the order.';
        place.disabled = false;
      }
    });

    // ---- step 2: pay on the provider's page ---------------------------------
    async function pay() {
      const checkout = await api(`/api/orders/${order.id}/pay`, { method: 'POST' });
      const until = new Date(order.expiresAt);
      const frame = el('iframe', { class: 'co-frame', title: 'Payment', src: checkout.checkoutUrl });
      body.replaceChildren(
        el(
          'div',
          { class: 'co-row' },
          el('span', { text: `Order total ${formatMoney(order.totalCents, order.currency)}` }),
          el('span', { class: 'muted', text: `held until ${until.toLocaleTimeString()}` }),
        ),
        frame,
        el('a', {
          href: checkout.checkoutUrl,
          target: '_blank',
          rel: 'noopener',
          text: 'Open the payment page',
        }),
      );
      pollTimer = setInterval(() => void refresh(), 1500);
    }

    // ---- step 3: the result ---------------------------------------------------
    async function refresh() {
      if (!order || closed) return;
      try {
        order = await api(`/api/orders/${order.id}`);
      } catch {
        return;
      }
      if (order.status === 'pending_payment') return;
      clearInterval(pollTimer);
      const ok = order.status === 'paid' || order.status === 'fulfilled';
      const text = ok
        ? `Paid: ${formatMoney(order.totalCents, order.currency)}. Thank you!`
        : order.status === 'expired'
          ? 'The hold expired before payment; the units went back on sale.'
          : `Order ${order.status.replace('_', ' ')}.`;
      body.replaceChildren(
        el('div', { class: `co-result${ok ? ' ok' : ''}`, 'data-status': order.status, text }),
        el('a', { href: '/orders', text: 'My orders' }),
      );
    }
  });
}
