// /merchant/reports : GMV over time and per stream, the products of one
// stream with their pinned time, CSV downloads, and the shop's time zone.
import { html, nothing } from 'lit';
import { merchant, products, reports, type GmvQuery } from '../api/client';
import { messageOf } from '../api/errors';
import { download } from '../api/http';
import { loginUrl, session } from '../api/session';
import type { GmvReport, Granularity, StreamReport, StreamReportRow } from '../api/types';
import { tableHead, type Columns } from '../components/data-table';
import { ErrorElement } from '../components/error-element';
import { states } from '../components/light-element';
import { toast } from '../components/toast';
import { drawGmv, drawProducts } from '../lib/charts';
import { formatMoney } from '../lib/money';
import { mount } from './page';

const formatInt = (n: number) => new Intl.NumberFormat('en-US').format(n);
const formatPct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const formatDuration = (s: number) => `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;

function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A figure above the GMV chart: the sum of `key` over the report's buckets. */
interface Kpi {
  label: string;
  id: string;
  key: 'gmvCents' | 'paidCents' | 'netCents' | 'orders' | 'units';
  money?: boolean;
}
const KPIS: Kpi[] = [
  { label: 'GMV', id: 'gmv', key: 'gmvCents', money: true },
  { label: 'Paid', id: 'paid', key: 'paidCents', money: true },
  { label: 'Net', id: 'net', key: 'netCents', money: true },
  { label: 'Orders', id: 'orders', key: 'orders' },
  { label: 'Units', id: 'units', key: 'units' },
];

const PRODUCT_COLUMNS: Columns = [
  'Product',
  'GMV',
  'Orders',
  'Units',
  'Buyers',
  'Pinned',
  'GMV while pinned',
];

const STREAM_COLUMNS: Columns = [
  'Stream',
  'GMV',
  'Orders',
  'Units',
  'Buyers',
  'AOV',
  'Peak viewers',
  'Unique viewers',
  'Conversion',
];

class LcReports extends ErrorElement {
  static override properties = states<LcReports>('gmv', 'rows', 'detail', 'currencies', 'timeZone');
  gmv: GmvReport | null = null;
  rows: StreamReportRow[] = [];
  detail: StreamReport | null = null;
  currencies: string[] = [];
  timeZone = '';
  private selected: string | null = null;
  private q = {
    granularity: 'day' as Granularity,
    from: toLocalInput(new Date(Date.now() - 30 * 86_400_000)),
    to: toLocalInput(new Date(Date.now() + 3600_000)),
    streamId: '',
    currency: '',
  };

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.can('merchant')) void this.init();
  }

  private async init(): Promise<void> {
    await this.act(async () => {
      const [settings, mine] = await Promise.all([
        merchant.settings(),
        products.ofShop(session.user!.id).catch(() => null),
      ]);
      this.timeZone = settings.timeZone;
      this.currencies = [...new Set((mine?.items ?? []).map((p) => p.currency))].sort();
      this.q.currency = this.currencies[0] ?? '';
    });
    await this.refresh();
  }

  private query(): GmvQuery {
    const q: GmvQuery = { granularity: this.q.granularity };
    if (this.q.from) q.from = new Date(this.q.from).toISOString();
    if (this.q.to) q.to = new Date(this.q.to).toISOString();
    if (this.q.streamId) q.streamId = this.q.streamId;
    if (this.q.currency) q.currency = this.q.currency;
    return q;
  }

  private async refresh(): Promise<void> {
    this.error = '';
    await this.act(async () => {
      this.gmv = await reports.gmv(this.query());
      document.body.dataset.gmvLoaded = 'true';
      this.rows = (await reports.streams(this.q.currency || undefined)).items;
      document.body.dataset.streamsLoaded = 'true';
      if (this.selected) await this.select(this.selected);
    });
  }

  private async select(id: string): Promise<void> {
    this.selected = id;
    await this.act(async () => {
      this.detail = await reports.stream(id, this.q.currency || undefined);
      await this.updateComplete;
      document.body.dataset.detailLoaded = id;
    });
  }

  override updated(): void {
    const g = this.querySelector<HTMLCanvasElement>('#gmv-chart');
    if (g && this.gmv) drawGmv(g, this.gmv);
    const p = this.querySelector<HTMLCanvasElement>('#products-chart');
    if (p && this.detail) drawProducts(p, this.detail);
  }

  private set(key: 'granularity' | 'from' | 'to' | 'streamId' | 'currency', refresh = true) {
    return (e: Event) => {
      const value = (e.target as HTMLInputElement | HTMLSelectElement).value;
      if (key === 'granularity') {
        this.q.granularity = value as Granularity;
        if (value === 'minute') this.q.from = toLocalInput(new Date(Date.now() - 3 * 3600_000));
      } else this.q[key] = value;
      if (refresh) void this.refresh();
      else this.requestUpdate();
    };
  }

  private async saveTimeZone(): Promise<void> {
    const input = this.querySelector<HTMLInputElement>('#tz');
    await this.act(async () => {
      await merchant.saveSettings({ timeZone: (input?.value ?? '').trim() });
      toast('Time zone saved.', 'ok');
      await this.refresh();
    });
  }

  private csv(path: string, name: string): void {
    download(path, name).catch((e: unknown) => (this.error = `CSV: ${messageOf(e)}`));
  }

  private kpis() {
    const b = this.gmv?.buckets ?? [];
    const cur = this.gmv?.currency ?? 'USD';
    const have = this.gmv !== null;
    const total = (kpi: Kpi) => {
      const sum = b.reduce((s, x) => s + x[kpi.key], 0);
      return kpi.money ? formatMoney(sum, cur) : formatInt(sum);
    };
    return html`<div class="kpis">
      ${KPIS.map(
        (kpi) =>
          html`<div>
            <span class="muted">${kpi.label}</span
            ><strong id="kpi-${kpi.id}">${have ? total(kpi) : '–'}</strong>
          </div>`,
      )}
    </div>`;
  }

  private renderDetail(r: StreamReport) {
    return html`<section id="detail" class="panel">
      <h2>
        <span id="detail-title"
          >${r.title} · ${formatMoney(r.gmvCents, r.currency)} · ${formatPct(r.conversion)} conversion</span
        >
        <button
          type="button"
          class="secondary small"
          @click=${() => this.csv(reports.streamPath(r.streamId), 'stream.csv')}
        >
          CSV
        </button>
      </h2>
      <div class="legend">
        <span><i class="swatch gmv"></i>GMV</span><span><i class="swatch pinned"></i>GMV while pinned</span
        ><span><i class="swatch time"></i>Minutes pinned</span>
      </div>
      <canvas id="products-chart" class="chart" role="img" aria-label="Top products"></canvas>
      <div class="table-scroll">
        <table id="products" class="data numbers">
          ${tableHead(PRODUCT_COLUMNS)}
          <tbody>
            ${r.topProducts.map(
              (p) =>
                html`<tr data-product-id=${p.productId}>
                  <td>${p.title ?? p.productId}</td>
                  <td>${formatMoney(p.gmvCents, r.currency)}</td>
                  <td>${formatInt(p.orders)}</td>
                  <td>${formatInt(p.units)}</td>
                  <td>${formatInt(p.buyers)}</td>
                  <td>${formatDuration(p.pinnedSeconds)}</td>
                  <td>${formatMoney(p.pinnedGmvCents, r.currency)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  override render() {
    if (!session.can('merchant')) {
      return html`<h1>Sales reports</h1>
        <div class="empty">
          ${session.user ? 'Reports are for merchants.' : html`<a href=${loginUrl()}>Sign in</a> as a merchant to see your reports.`}
        </div>`;
    }
    return html`<h1>Sales reports</h1>
      <div id="message" class="alert error" role="alert">${this.error}</div>
      <section class="panel">
        <div class="row">
          <label class="field"
            >Granularity
            <select id="granularity" @change=${this.set('granularity')}>
              <option value="day">Day</option>
              <option value="hour">Hour</option>
              <option value="minute">Minute (one stream)</option>
            </select>
          </label>
          <label class="field"
            >From
            <input id="from" type="datetime-local" .value=${this.q.from} @change=${this.set('from', false)}
          /></label>
          <label class="field"
            >To <input id="to" type="datetime-local" .value=${this.q.to} @change=${this.set('to', false)}
          /></label>
          <label class="field"
            >Stream
            <select id="stream" @change=${this.set('streamId')}>
              <option value="">All streams</option>
              ${this.rows.map((s) => html`<option value=${s.streamId} ?selected=${s.streamId === this.q.streamId}>${s.title}</option>`)}
            </select>
          </label>
          <label class="field"
            >Currency
            <select id="currency" @change=${this.set('currency')}>
              ${this.currencies.map((c) => html`<option value=${c} ?selected=${c === this.q.currency}>${c}</option>`)}
            </select>
          </label>
          <button id="refresh" type="button" @click=${this.refresh}>Show</button>
          <button
            id="csv-gmv"
            type="button"
            class="secondary"
            @click=${() => this.csv(reports.gmvPath(this.query()), 'gmv.csv')}
          >
            GMV as CSV
          </button>
          <label class="field"
            >Time zone <input id="tz" type="text" size="20" .value=${this.timeZone}
          /></label>
          <button id="save-tz" type="button" class="secondary" @click=${this.saveTimeZone}>
            Save time zone
          </button>
        </div>
        ${this.kpis()}
        <div class="legend">
          <span><i class="swatch gmv"></i>GMV</span><span><i class="swatch paid"></i>Paid</span
          ><span><i class="swatch net"></i>Net</span>
        </div>
        <canvas id="gmv-chart" class="chart" role="img" aria-label="GMV over time"></canvas>
      </section>
      <section class="panel">
        <h2>
          Streams
          <button
            id="csv-streams"
            type="button"
            class="secondary small"
            @click=${() => this.csv(reports.streamsPath(), 'streams.csv')}
          >
            CSV
          </button>
        </h2>
        <div class="table-scroll">
          <table id="streams" class="data numbers">
            ${tableHead(STREAM_COLUMNS)}
            <tbody>
              ${this.rows.map(
                (s) =>
                  html`<tr
                    class="pickable ${s.streamId === this.selected ? 'selected' : ''}"
                    data-stream-id=${s.streamId}
                    tabindex="0"
                    @click=${() => this.select(s.streamId)}
                    @keydown=${(e: KeyboardEvent) => {
                      if (e.key === 'Enter' || e.key === ' ') void this.select(s.streamId);
                    }}
                  >
                    <td>${s.title}</td>
                    <td>${formatMoney(s.gmvCents, s.currency)}</td>
                    <td>${formatInt(s.orders)}</td>
                    <td>${formatInt(s.units)}</td>
                    <td>${formatInt(s.buyers)}</td>
                    <td>${formatMoney(s.aovCents, s.currency)}</td>
                    <td>${formatInt(s.peakViewers)}</td>
                    <td>${formatInt(s.uniqueViewers)}</td>
                    <td>${formatPct(s.conversion)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>
      ${this.detail ? this.renderDetail(this.detail) : nothing}`;
  }
}
customElements.define('lc-reports', LcReports);

mount(html`<lc-reports></lc-reports>`);
