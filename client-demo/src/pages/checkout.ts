// /checkout?session=… : the simulated payment provider's hosted page (a
// stand-in for a real gateway's). Deliberately not the shop's look: it has its
// own small stylesheet. Pay or Decline makes the provider call the shop's
// webhook; the result goes to the shop's page that framed it (postMessage) and
// a link leads back to the order.
import { html, nothing, render } from 'lit';
import { simulatedProvider } from '../api/client';
import { messageOf } from '../api/errors';
import type { OrderStatus, SimulatedSession } from '../api/types';
import { formatMoney } from '../lib/money';
import '../styles/provider.css';

const sessionId = new URLSearchParams(location.search).get('session') ?? '';
const root = document.getElementById('main')!;
const framed = window.parent !== window;

let s: SimulatedSession | null = null;
let result: { ok: boolean; text: string } | null = null;
let busy = false;
let error = '';

function outcome(orderStatus: OrderStatus, paymentStatus: string): { ok: boolean; text: string } {
  const ok = orderStatus === 'paid' || orderStatus === 'fulfilled';
  return {
    ok,
    text: ok
      ? 'Payment received.'
      : paymentStatus === 'failed'
        ? 'Payment declined.'
        : paymentStatus === 'refunded'
          ? `The order is ${orderStatus}; the payment was refunded.`
          : `The order is ${orderStatus.replace('_', ' ')}.`,
  };
}

function done(orderStatus: OrderStatus, paymentStatus: string): void {
  result = outcome(orderStatus, paymentStatus);
  // Tell the shop's page (same origin in this demo) that the payment finished.
  if (framed)
    window.parent.postMessage({ type: 'livecart:checkout', orderStatus, paymentStatus }, location.origin);
  draw();
}

async function complete(which: 'succeed' | 'fail'): Promise<void> {
  busy = true;
  error = '';
  draw();
  try {
    const r = await simulatedProvider.pay(sessionId, which);
    if (s) s = { ...s, orderStatus: r.orderStatus, paymentStatus: r.paymentStatus };
    done(r.orderStatus, r.paymentStatus);
  } catch (e) {
    error = messageOf(e);
  } finally {
    busy = false;
    draw();
  }
}

function draw(): void {
  const open = s !== null && s.paymentStatus === 'open' && s.orderStatus === 'pending_payment';
  render(
    html`<div class="box">
      <div class="muted">Simulated payment provider (no real money)</div>
      <div id="summary" aria-live="polite">
        ${
          s
            ? html`<div class="amount">${formatMoney(s.amountCents, s.currency)}</div>
                <ul>
                  ${s.items.map((i) => html`<li>${i.quantity} × ${i.title}</li>`)}
                </ul>
                <div class="muted">Pay before ${new Date(s.expiresAt).toLocaleTimeString()}</div>`
            : error
              ? nothing
              : 'Loading…'
        }
      </div>
      <div class="row">
        <button id="pay" type="button" ?disabled=${!open || busy} @click=${() => complete('succeed')}>
          Pay
        </button>
        <button id="decline" type="button" ?disabled=${!open || busy} @click=${() => complete('fail')}>
          Decline
        </button>
      </div>
      <div id="result" class="result ${result ? (result.ok ? 'ok' : 'bad') : ''}" role="status">
        ${busy ? 'Processing…' : (result?.text ?? '')}
      </div>
      <div class="result bad" role="alert">${error}</div>
      ${
        s
          ? html`<a
              id="back"
              href=${`/orders?order=${encodeURIComponent(s.orderId)}`}
              target=${framed ? '_top' : '_self'}
              >Back to your order</a
            >`
          : nothing
      }
    </div>`,
    root,
  );
}

draw();
simulatedProvider
  .session(sessionId)
  .then((session) => {
    s = session;
    if (!(session.paymentStatus === 'open' && session.orderStatus === 'pending_payment')) {
      done(session.orderStatus, session.paymentStatus);
    }
    draw();
  })
  .catch((e) => {
    error = messageOf(e);
    draw();
  });
