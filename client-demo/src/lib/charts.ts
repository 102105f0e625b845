// The reports' charts, drawn on <canvas> with no library.
import type { GmvReport, StreamReport } from '../api/types';
import { formatMoney } from './money';

/** Chart colours (the dashboard test looks for the GMV bar colour's pixels). */
export const CHART_COLORS = {
  gmv: '#ff3b6b',
  paid: '#2ecc71',
  net: '#f5c542',
  pinned: '#6c8cff',
  time: '#98a0b3',
};
const GRID = '#2c3346';
const INK = '#a3abbd';
const BG = '#12151c';

interface Pad {
  l: number;
  r: number;
  t: number;
  b: number;
}

/** A canvas sized to its CSS box at the device's pixel ratio. */
function canvas2d(c: HTMLCanvasElement): { g: CanvasRenderingContext2D; w: number; h: number } | null {
  const ratio = window.devicePixelRatio || 1;
  const w = c.clientWidth || 600;
  const h = c.clientHeight || 260;
  c.width = Math.round(w * ratio);
  c.height = Math.round(h * ratio);
  const g = c.getContext('2d');
  if (!g) return null;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.fillStyle = BG;
  g.fillRect(0, 0, w, h);
  return { g, w, h };
}

function axes(
  g: CanvasRenderingContext2D,
  w: number,
  h: number,
  pad: Pad,
  max: number,
  label: (v: number) => string,
): void {
  g.strokeStyle = GRID;
  g.fillStyle = INK;
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
export function drawGmv(c: HTMLCanvasElement, report: GmvReport): void {
  const ctx = canvas2d(c);
  if (!ctx) return;
  const { g, w, h } = ctx;
  const pad = { l: 70, r: 10, t: 10, b: 24 };
  const b = report.buckets;
  const max = Math.max(1, ...b.map((x) => x.gmvCents));
  axes(g, w, h, pad, max, (v) => formatMoney(Math.round(v), report.currency));
  const iw = (w - pad.l - pad.r) / Math.max(1, b.length);
  const y = (v: number) => h - pad.b - ((h - pad.t - pad.b) * v) / max;
  g.fillStyle = CHART_COLORS.gmv;
  b.forEach((x, i) => {
    const top = y(x.gmvCents);
    g.fillRect(pad.l + i * iw + iw * 0.1, top, Math.max(1, iw * 0.8), h - pad.b - top);
  });
  for (const key of ['paidCents', 'netCents'] as const) {
    g.strokeStyle = key === 'paidCents' ? CHART_COLORS.paid : CHART_COLORS.net;
    g.lineWidth = 2;
    g.beginPath();
    b.forEach((x, i) => {
      const px = pad.l + i * iw + iw / 2;
      if (i === 0) g.moveTo(px, y(x[key]));
      else g.lineTo(px, y(x[key]));
    });
    g.stroke();
  }
  g.fillStyle = INK;
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
export function drawProducts(c: HTMLCanvasElement, report: StreamReport): void {
  const ctx = canvas2d(c);
  if (!ctx) return;
  const { g, w, h } = ctx;
  const pad = { l: 70, r: 10, t: 10, b: 24 };
  const ps = report.topProducts.slice(0, 10);
  const max = Math.max(1, ...ps.map((p) => p.gmvCents));
  const maxT = Math.max(1, ...ps.map((p) => p.pinnedSeconds));
  axes(g, w, h, pad, max, (v) => formatMoney(Math.round(v), report.currency));
  const iw = (w - pad.l - pad.r) / Math.max(1, ps.length);
  const ih = h - pad.t - pad.b;
  ps.forEach((p, i) => {
    const x0 = pad.l + i * iw;
    const bar = (v: number, m: number, color: string, off: number, width: number) => {
      g.fillStyle = color;
      const bh = (ih * v) / m;
      g.fillRect(x0 + iw * off, h - pad.b - bh, Math.max(1, iw * width), bh);
    };
    bar(p.gmvCents, max, CHART_COLORS.gmv, 0.1, 0.3);
    bar(p.pinnedGmvCents, max, CHART_COLORS.pinned, 0.42, 0.3);
    bar(p.pinnedSeconds, maxT, CHART_COLORS.time, 0.74, 0.1);
    g.fillStyle = INK;
    g.fillText((p.title ?? p.productId).slice(0, 14), x0 + 4, h - 8);
  });
}
