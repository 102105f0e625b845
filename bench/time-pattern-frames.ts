/**
 * Raw video for bench:ingest: yuv420p frames on stdout, each showing the
 * wall clock (Date.now(), ms) as 44 black/white blocks in an 11x4 grid,
 * the pattern bench:latency draws on a canvas. An encoder reads them from
 * a pipe; a viewer decodes the blocks of the frame it shows and subtracts.
 *
 *   node -r ts-node/register/transpile-only bench/time-pattern-frames.ts 1280 720 30 | ffmpeg -f rawvideo ...
 */
const [width, height, fps] = process.argv.slice(2).map(Number);
const BITS = 44;
const cols = 11;
const rows = 4;
const bw = Math.floor(width / cols);
const bh = Math.floor(height / rows);
const ySize = width * height;
const frameSize = ySize * 1.5;

function frame(t: number): Buffer {
  const f = Buffer.allocUnsafe(frameSize);
  f.fill(128, ySize); // neutral chroma
  f.fill(126, 0, ySize); // grey between the blocks
  for (let i = 0; i < BITS; i++) {
    const v = Math.floor(t / 2 ** i) % 2 ? 235 : 16;
    const x0 = (i % cols) * bw;
    const y0 = Math.floor(i / cols) * bh;
    for (let y = y0; y < y0 + bh; y++) f.fill(v, y * width + x0, y * width + x0 + bw);
  }
  return f;
}

let n = 0;
const t0 = Date.now();
const tick = () => {
  // Frame n is due at t0 + n/fps; write the ones due, drawn with the time of writing.
  while (t0 + (n * 1000) / fps <= Date.now()) {
    if (!process.stdout.write(frame(Date.now()))) {
      n++;
      process.stdout.once('drain', tick);
      return;
    }
    n++;
  }
  setTimeout(tick, Math.max(1, t0 + (n * 1000) / fps - Date.now()));
};
process.stdout.on('error', () => process.exit(0));
tick();
