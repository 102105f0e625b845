// /merchant/webhooks : the URLs a shop's order and stream events are POSTed
// to. Add one (its signing secret is shown once), send a signed test event,
// read the deliveries and retry a failed one. The events offered are the
// server's own list (`@shared/webhooks/webhook-events`).
import { WEBHOOK_EVENTS } from '@shared/webhooks/webhook-events';
import { html, nothing } from 'lit';
import { webhooks } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { CreatedWebhook, Webhook, WebhookDelivery } from '../api/types';
import { ACTIONS, emptyRow, tableHead, type Columns } from '../components/data-table';
import { ErrorElement } from '../components/error-element';
import { states } from '../components/light-element';
import { toast } from '../components/toast';
import { field, mount } from './page';

/** What a delivery's outcome says to a person. */
export function outcome(d: WebhookDelivery): string {
  const answer = d.lastStatusCode ? `answered ${d.lastStatusCode}` : (d.lastError ?? '');
  const tries = `${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}`;
  if (d.status === 'succeeded') return `Delivered (${answer}, ${tries})`;
  if (d.status === 'failed') return `Failed: ${answer || 'no answer'} (${tries})`;
  return d.attempts ? `Retrying: ${answer} (${tries} so far)` : 'Waiting to be sent';
}

const DELIVERY_COLUMNS: Columns = ['When', 'Event', 'Outcome', ACTIONS];

class LcWebhooks extends ErrorElement {
  static override properties = states<LcWebhooks>(
    'items',
    'loaded',
    'created',
    'open',
    'deliveries',
    'formError',
    'busy',
  );
  items: Webhook[] = [];
  loaded = false;
  /** The webhook just added, with the secret the server shows once. */
  created: CreatedWebhook | null = null;
  /** The webhook whose deliveries are shown. */
  open = '';
  deliveries: WebhookDelivery[] = [];
  formError = '';
  busy = '';

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.can('merchant')) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.items = (await webhooks.list()).items;
      this.error = '';
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.loaded = true;
    }
  }

  private async add(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const f = new FormData(form);
    const url = field(f, 'url').trim();
    const events = f.getAll('events').filter((v): v is string => typeof v === 'string');
    if (!/^https?:\/\/\S+$/i.test(url)) {
      this.formError = 'Enter the URL to send events to, starting with https:// (or http://).';
      return;
    }
    if (events.length === 0) {
      this.formError = 'Choose at least one event to send.';
      return;
    }
    this.formError = '';
    this.busy = 'add';
    try {
      this.created = await webhooks.create({ url, events });
      form.reset();
      await this.load();
    } catch (e) {
      this.formError = messageOf(e);
    } finally {
      this.busy = '';
    }
  }

  private showDeliveries(h: Webhook): Promise<void> {
    return this.act(async () => {
      this.deliveries = (await webhooks.deliveries(h.id)).items;
      this.open = h.id;
    });
  }

  private async test(h: Webhook): Promise<void> {
    this.busy = h.id;
    try {
      const d = await webhooks.test(h.id);
      toast(
        d.status === 'succeeded' ? `Test sent: ${outcome(d)}.` : `Test not delivered: ${outcome(d)}.`,
        d.status === 'succeeded' ? 'ok' : 'error',
      );
      await this.showDeliveries(h);
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = '';
    }
  }

  private async retry(h: Webhook, d: WebhookDelivery): Promise<void> {
    this.busy = d.id;
    try {
      await webhooks.retry(h.id, d.id);
      toast('Sending it again.', 'info');
      await this.showDeliveries(h);
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = '';
    }
  }

  private async removeHook(h: Webhook): Promise<void> {
    if (!confirm(`Stop sending events to ${h.url}? Its delivery log is removed too.`)) return;
    await this.act(async () => {
      await webhooks.remove(h.id);
      if (this.open === h.id) this.open = '';
      if (this.created?.id === h.id) this.created = null;
      await this.load();
    });
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      toast('Copied.', 'ok');
    } catch {
      toast('Select the text and copy it.', 'info');
    }
  }

  private deliveriesView(h: Webhook) {
    return html`<div class="table-scroll" data-testid="deliveries">
      <div class="row spread">
        <h3>Deliveries</h3>
        <button type="button" class="link-button" @click=${() => this.showDeliveries(h)}>Refresh</button>
      </div>
      <table class="data">
        ${tableHead(DELIVERY_COLUMNS)}
        <tbody>
          ${
            this.deliveries.length === 0
              ? emptyRow(DELIVERY_COLUMNS, 'Nothing sent yet: send a test.')
              : nothing
          }
          ${this.deliveries.map(
            (d) =>
              html`<tr data-delivery=${d.id} data-status=${d.status}>
                <td>${new Date(d.createdAt).toLocaleString()}</td>
                <td>${d.event}</td>
                <td><span class="delivery ${d.status}">${outcome(d)}</span></td>
                <td>
                  ${
                    d.status === 'failed'
                      ? html`<button
                          type="button"
                          class="small secondary"
                          ?disabled=${this.busy === d.id}
                          @click=${() => this.retry(h, d)}
                        >
                          Retry
                        </button>`
                      : nothing
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private hook(h: Webhook) {
    return html`<article class="card webhook" data-webhook=${h.id}>
      <div class="row spread">
        <div>
          <strong class="webhook-url">${h.url}</strong>
          <div class="muted">${h.events.join(', ')}</div>
        </div>
        <div class="row">
          <button type="button" class="small" ?disabled=${this.busy === h.id} @click=${() => this.test(h)}>
            Send test
          </button>
          <button type="button" class="small secondary" @click=${() => this.showDeliveries(h)}>
            Deliveries
          </button>
          <button type="button" class="small secondary" @click=${() => this.removeHook(h)}>Remove</button>
        </div>
      </div>
      ${
        this.created?.id === h.id
          ? html`<div class="alert ok" data-testid="secret">
              Signing secret (shown only now: keep it to verify each request's X-Livecart-Signature):
              <div class="secret">
                <span>Secret</span
                ><input readonly .value=${this.created.secret} aria-label="Signing secret" /> <span></span
                ><button
                  type="button"
                  class="secondary small"
                  @click=${() => this.copy(this.created!.secret)}
                >
                  Copy
                </button>
              </div>
            </div>`
          : nothing
      }
      ${this.open === h.id ? this.deliveriesView(h) : nothing}
    </article>`;
  }

  override render() {
    if (!session.can('merchant')) {
      return html`<h1>Webhooks</h1>
        <div class="empty">
          <a href=${loginUrl('/merchant/webhooks')}>Sign in</a> with a merchant account to manage webhooks.
        </div>`;
    }
    return html`<h1>Webhooks</h1>
      <p class="muted">
        Your server is sent a signed POST when an order is placed, paid, shipped or refunded and when a stream
        starts or ends (see the API documentation for the body and the signature).
      </p>
      <div id="msg" class="alert error" role="alert">${this.error}</div>
      <section class="panel" aria-labelledby="add-title">
        <h2 id="add-title">Add an endpoint</h2>
        <form id="webhook-form" class="stack" novalidate @submit=${this.add}>
          <label class="field"
            >URL
            <input
              name="url"
              type="url"
              maxlength="2000"
              placeholder="https://shop.example.com/hooks/livecart"
              aria-describedby="webhook-error"
            />
          </label>
          <fieldset class="events">
            <legend>Events</legend>
            ${WEBHOOK_EVENTS.map(
              (e) =>
                html`<label class="field inline"
                  ><input type="checkbox" name="events" value=${e} ?checked=${e.startsWith('order.')} />
                  ${e}</label
                >`,
            )}
          </fieldset>
          <span class="field-error" id="webhook-error">${this.formError}</span>
          <div class="form-actions">
            <button type="submit" id="webhook-submit" ?disabled=${this.busy === 'add'}>Add endpoint</button>
          </div>
        </form>
      </section>
      <section class="stack" id="webhooks" aria-label="Endpoints">
        ${
          this.loaded && this.items.length === 0
            ? html`<div class="empty">No endpoints yet.</div>`
            : this.items.map((h) => this.hook(h))
        }
      </section>`;
  }
}
customElements.define('lc-webhooks', LcWebhooks);

mount(html`<lc-webhooks></lc-webhooks>`);
