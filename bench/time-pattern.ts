/** Bits of Date.now() the pattern carries (44 bits of milliseconds: centuries). */
const BITS = 44;

/**
 * Runs in the page (page.addScriptTag): `window.drawTime(ctx, w, h)` draws the current time as
 * BITS black and white blocks that survive video compression; `window.readTime(ctx, w, h)` reads
 * the time back off a decoded frame. Publisher and viewer in one browser share one clock, so
 * the difference is glass-to-glass latency.
 */
export const TIME_PATTERN = `
window.drawTime = (ctx, w, h) => {
  const t = Date.now();
  ctx.fillStyle = '#808080'; ctx.fillRect(0, 0, w, h);
  const cols = 11, rows = 4, bw = Math.floor(w / cols), bh = Math.floor(h / rows);
  for (let i = 0; i < ${BITS}; i++) {
    const bit = Math.floor(t / 2 ** i) % 2;
    ctx.fillStyle = bit ? '#ffffff' : '#000000';
    ctx.fillRect((i % cols) * bw, Math.floor(i / cols) * bh, bw, bh);
  }
};
window.readTime = (ctx, w, h) => {
  const cols = 11, rows = 4, bw = Math.floor(w / cols), bh = Math.floor(h / rows);
  const img = ctx.getImageData(0, 0, w, h).data;
  let t = 0;
  for (let i = 0; i < ${BITS}; i++) {
    const x = (i % cols) * bw + (bw >> 1), y = Math.floor(i / cols) * bh + (bh >> 1);
    if (img[(y * w + x) * 4] > 128) t += 2 ** i;
  }
  return t;
};
`;
