// Sales reports dashboard (/merchant/reports): GMV over time and per stream,
// drawn on <canvas> with no library; every number is set with textContent.
import { api, auth, el, freshToken, renderHeader } from './api.js';

renderHeader();
const $ = (id) => document.getElementById(id);
const COLORS = { gmv: '#ff3b6b', paid: '#2ecc71', net: '#f5c542', pinned: '#6c8cff', time: '#98a0b3' };

/** Minor units → "$1,234.56", with the currency's own number of decimals. */
export function formatMoney(cents, currency) {
  const f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(cents / 10 ** digits);
}
export const formatInt = (n) => new Intl.NumberFormat('en-US').format(n);
export const formatPct = (x) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
export const formatDuration = (s) => `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;

const state = { streams: [], selected: null, currency: null };

function message(text) {
  $('message').textContent = text;
}

function toLocalInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A canvas sized to its CSS box at the device's pixel ratio. */
function canvas2d(id) {
  const c = $(id);
  const ratio = window.devicePixelRatio || 1;
  const w = c.clientWidth || 600;
  const h = c.clientHeight || 260;
  c.width = Math.round(w * ratio);
  c.height = Math.round(h * ratio);
  const g = c.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.fillStyle = '#12151c';
  g.fillRect(0, 0, w, h);
  return { g, w, h };
}

function axes(g, w, h, pad, max, label) {
  g.strokeStyle = '#2c3346';
  g.fillStyle = '#98a0b3';
  g.font = '11px system-ui, sans-serif';
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + ((h - pad.t - pad.b) * i) / 4;
    g.beginPath();
    g.moveTo(pad.l, y);
    g.lineTo(w - pad.r, y);
    g.stroke();
    g.fillText(label((max * (4 - i)) / 4), 4, y + 4);
  }
}

/** Bars of GMV per bucket, with paid and net as lines over them. */
function drawGmv(report) {
  const { g, w, h } = canvas2d('gmv-chart');
  const pad = { l: 70, r: 10, t: 10, b: 24 };
  const b = report.buckets;
  const max = Math.max(1, ...b.map((x) => x.gmvCents));
  axes(g, w, h, pad, max, (v) => formatMoney(Math.round(v), report.currency));
  const iw = (w - pad.l - pad.r) / Math.max(1, b.length);
  const y = (v) => h - pad.b - ((h - pad.t - pad.b) * v) / max;
  g.fillStyle = COLORS.gmv;
  b.forEach((x, i) => {
    const top = y(x.gmvCents);
    g.fillRect(pad.l + i * iw + iw * 0.1, top, Math.max(1, iw * 0.8), h - pad.b - top);
  });
  for (const key of ['paidCents', 'netCents']) {
    g.strokeStyle = key === 'paidCents' ? COLORS.paid : COLORS.net;
    g.lineWidth = 2;
    g.beginPath();
    b.forEach((x, i) => {
      const px = pad.l + i * iw + iw / 2;
      if (i === 0) g.moveTo(px, y(x[key]));
      else g.lineTo(px, y(x[key]));
    });
    g.stroke();
  }
  g.fillStyle = '#98a0b3';
  const step = Math.max(1, Math.ceil(b.length / 8));
  b.forEach((x, i) => {
    if (i % step !== 0) return;
    const d = new Date(x.start);
    const text =
      report.granularity === 'day'
        ? d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: report.timeZone })
        : d.toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', timeZone: report.timeZone });
    g.fillText(text, pad.l + i * iw, h - 8);
  });
}

/** Per product: GMV and GMV while pinned (bars), minutes pinned (thin bar, own scale). */
function drawProducts(report) {
  const { g, w, h } = canvas2d('products-chart');
  const pad = { l: 70, r: 10, t: 10, b: 24 };
  const ps = report.topProducts.slice(0, 10);
  const max = Math.max(1, ...ps.map((p) => p.gmvCents));
  const maxT = Math.max(1, ...ps.map((p) => p.pinnedSeconds));
  axes(g, w, h, pad, max, (v) => formatMoney(Math.round(v), report.currency));
  const iw = (w - pad.l - pad.r) / Math.max(1, ps.length);
  const ih = h - pad.t - pad.b;
  ps.forEach((p, i) => {
    const x0 = pad.l + i * iw;
    const bar = (v, m, color, off, width) => {
      g.fillStyle = color;
      const bh = (ih * v) / m;
      g.fillRect(x0 + iw * off, h - pad.b - bh, Math.max(1, iw * width), bh);
    };
    bar(p.gmvCents, max, COLORS.gmv, 0.1, 0.3);
    bar(p.pinnedGmvCents, max, COLORS.pinned, 0.42, 0.3);
    bar(p.pinnedSeconds, maxT, COLORS.time, 0.74, 0.1);
    g.fillStyle = '#98a0b3';
    g.fillText((p.title ?? p.productId).slice(0, 14), x0 + 4, h - 8);
  });
}

function params() {
  const p = new URLSearchParams({ granularity: $('granularity').value });
  if ($('from').value) p.set('from', new Date($('from').value).toISOString());
  if ($('to').value) p.set('to', new Date($('to').value).toISOString());
  if ($('stream').value) p.set('streamId', $('stream').value);
  if ($('currency').value) p.set('currency', $('currency').value);
  return p;
}

async function loadGmv() {
  const report = await api(`/api/reports/gmv?${params()}`);
  state.currency = report.currency;
  const sum = (k) => report.buckets.reduce((s, b) => s + b[k], 0);
  $('kpi-gmv').textContent = formatMoney(sum('gmvCents'), report.currency);
  $('kpi-paid').textContent = formatMoney(sum('paidCents'), report.currency);
  $('kpi-net').textContent = formatMoney(sum('netCents'), report.currency);
  $('kpi-orders').textContent = formatInt(sum('orders'));
  $('kpi-units').textContent = formatInt(sum('units'));
  drawGmv(report);
  document.body.dataset.gmvLoaded = 'true';
}

function cell(text, data) {
  const td = el('td', { text });
  if (data !== undefined) td.dataset.value = String(data);
  return td;
}

async function loadStreams() {
  const cur = $('currency').value;
  const { items } = await api(`/api/reports/streams${cur ? `?currency=${encodeURIComponent(cur)}` : ''}`);
  state.streams = items;
  const body = $('streams').querySelector('tbody');
  body.replaceChildren(
    ...items.map((s) => {
      const tr = el(
        'tr',
        { onclick: () => void selectStream(s.streamId) },
        cell(s.title),
        cell(formatMoney(s.gmvCents, s.currency), s.gmvCents),
        cell(formatInt(s.orders), s.orders),
        cell(formatInt(s.units), s.units),
        cell(formatInt(s.buyers), s.buyers),
        cell(formatMoney(s.aovCents, s.currency), s.aovCents),
        cell(formatInt(s.peakViewers), s.peakViewers),
        cell(formatInt(s.uniqueViewers), s.uniqueViewers),
        cell(formatPct(s.conversion), s.conversion ?? ''),
      );
      tr.dataset.streamId = s.streamId;
      return tr;
    }),
  );
  const select = $('stream');
  const chosen = select.value;
  select.replaceChildren(
    el('option', { value: '', text: 'All streams' }),
    ...items.map((s) => el('option', { value: s.streamId, text: s.title })),
  );
  select.value = chosen;
  document.body.dataset.streamsLoaded = 'true';
}

async function selectStream(id) {
  state.selected = id;
  for (const tr of $('streams').querySelectorAll('tbody tr'))
    tr.classList.toggle('selected', tr.dataset.streamId === id);
  const cur = $('currency').value;
  const r = await api(`/api/reports/streams/${id}${cur ? `?currency=${encodeURIComponent(cur)}` : ''}`);
  $('detail').hidden = false;
  $('detail-title').textContent =
    `${r.title} · ${formatMoney(r.gmvCents, r.currency)} · ${formatPct(r.conversion)} conversion`;
  $('products')
    .querySelector('tbody')
    .replaceChildren(
      ...r.topProducts.map((p) => {
        const tr = el(
          'tr',
          {},
          cell(p.title ?? p.productId),
          cell(formatMoney(p.gmvCents, r.currency), p.gmvCents),
          cell(formatInt(p.orders), p.orders),
          cell(formatInt(p.units), p.units),
          cell(formatInt(p.buyers), p.buyers),
          cell(formatDuration(p.pinnedSeconds), p.pinnedSeconds),
          cell(formatMoney(p.pinnedGmvCents, r.currency), p.pinnedGmvCents),
        );
        tr.dataset.productId = p.productId;
        return tr;
      }),
    );
  drawProducts(r);
  document.body.dataset.detailLoaded = id;
}

/** Downloads a report as CSV: the same endpoint with Accept: text/csv. */
async function downloadCsv(path, name) {
  const res = await fetch(path, {
    headers: { Accept: 'text/csv', Authorization: `Bearer ${await freshToken()}` },
  });
  if (!res.ok) return message(`CSV failed: HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function refresh() {
  message('');
  try {
    await loadGmv();
    await loadStreams();
    if (state.selected) await selectStream(state.selected);
  } catch (e) {
    message(e.message);
  }
}

async function init() {
  const user = auth.user;
  if (!user) return message('Sign in as a merchant to see your reports.');
  if (!user.roles.includes('merchant') && !user.roles.includes('admin'))
    return message('Reports are for merchants.');
  const now = new Date();
  $('to').value = toLocalInput(new Date(now.getTime() + 3600_000));
  $('from').value = toLocalInput(new Date(now.getTime() - 30 * 86_400_000));
  try {
    const [settings, products] = await Promise.all([
      api('/api/merchant/settings'),
      api(`/api/products?merchantId=${user.id}&limit=100`).catch(() => null),
    ]);
    $('tz').value = settings.timeZone;
    const currencies = [...new Set((products?.items ?? []).map((p) => p.currency))].sort();
    $('currency').replaceChildren(...currencies.map((c) => el('option', { value: c, text: c })));
  } catch (e) {
    message(e.message);
  }
  $('refresh').addEventListener('click', () => void refresh());
  $('stream').addEventListener('change', () => void refresh());
  $('currency').addEventListener('change', () => void refresh());
  $('granularity').addEventListener('change', () => {
    if ($('granularity').value === 'minute')
      $('from').value = toLocalInput(new Date(Date.now() - 3 * 3600_000));
    void refresh();
  });
  $('save-tz').addEventListener('click', async () => {
    try {
      await api('/api/merchant/settings', { method: 'PUT', body: { timeZone: $('tz').value.trim() } });
      message('Time zone saved.');
      await refresh();
    } catch (e) {
      message(e.message);
    }
  });
  $('csv-gmv').addEventListener('click', () => void downloadCsv(`/api/reports/gmv?${params()}`, 'gmv.csv'));
  $('csv-streams').addEventListener('click', () => void downloadCsv('/api/reports/streams', 'streams.csv'));
  $('csv-stream').addEventListener('click', () => {
    if (state.selected) void downloadCsv(`/api/reports/streams/${state.selected}`, 'stream.csv');
  });
  await refresh();
}

void init();
