/**
 * `npm run bench:hls-playlist`: what one media playlist costs per part, late
 * in a long show, in the transcoder (render it, save its state) and in the
 * server (read a new version of it, make its delta update).
 *
 * Builds the playlist of a show BENCH_HOURS (2) long at the configured part
 * settings (by default 0.2 s parts, 10 a segment, a keyframe every 2nd) in memory, and
 * an encoder's copied rung beside it (segments closed at keyframes), and
 * times each call: the median of five rounds, with their range, in µs.
 * The state saved is that of three renditions, as the default ladder has.
 */
import { deltaUpdate, readPlaylist } from '../media';
import { addParts, liveShow, MemoryStorage } from '../media/hls/fixtures';
import { TranscodeStateStore } from '../media/hls/transcode-state';
import { loadConfig } from '../src/config/config';

const HOURS = Number(process.env.BENCH_HOURS ?? 2);
if (!(HOURS > 0)) throw new Error('BENCH_HOURS must be a positive number');
/** The part settings of the app's configuration (its defaults unless HLS_PART_MS etc. are set). */
const { partMs, partsPerSegment, keyframeParts } = loadConfig(process.env).hls;

const timing = { partSeconds: partMs / 1000, partsPerSegment, keyframeParts, start: Date.UTC(2026, 0, 1) };
let n = Math.round((HOURS * 3600_000) / partMs);
const renditions = ['360p', '480p', '720p'].map(() => liveShow(n, timing));
const addPart = () => {
  for (const pl of renditions) addParts(pl, n, 1, timing);
  n++;
};
const [pl] = renditions;
const text = pl.render();
/**
 * An encoder's copied rung: segments close at its keyframes, here one every
 * 1.8 s, which the closing rule cuts before the usual segment's end.
 */
const copiedTiming = { ...timing, keyframeParts: Math.round(1800 / partMs), keyframeSegments: true };
let copiedN = n;
const copied = liveShow(copiedN, copiedTiming);

/** Median and range of five rounds of `calls` calls, in µs per call. */
async function time(name: string, calls: number, f: () => unknown): Promise<void> {
  for (let i = 0; i < Math.min(calls, 20); i++) await f();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await f();
    rounds.push(Number(process.hrtime.bigint() - t) / calls / 1e3);
  }
  rounds.sort((a, b) => a - b);
  const f1 = (x: number) => x.toFixed(x < 100 ? 1 : 0);
  console.log(`  ${name.padEnd(52)} ${f1(rounds[2]).padStart(8)} µs (${f1(rounds[0])}–${f1(rounds[4])})`);
}

/** The store in memory: what a save costs the transcoder's CPU, its bytes made but not written to disk. */
const storage = new MemoryStorage();

async function main(): Promise<void> {
  console.log(
    `a ${HOURS} h show: ${pl.segments.length} segments, a ${Math.round(text.length / 1024)} KB playlist` +
      ` (the copied rung: ${copied.segments.length}, ${Math.round(copied.render().length / 1024)} KB)`,
  );
  console.log('the transcoder, at each part of each rendition:');
  // Each call adds a part first, as the transcoder does (the caches then have something new).
  await time('add a part and render the playlist (bytes)', 100, () => {
    addPart();
    return Buffer.from(pl.render());
  });
  await time("add a part to an encoder's copied rung and render it", 100, () => {
    addParts(copied, copiedN++, 1, copiedTiming);
    return Buffer.from(copied.render());
  });
  const { store } = await TranscodeStateStore.load(storage, 'bench');
  await time('add a part and save the state (3 renditions)', 100, () => {
    addPart();
    return store.save(1, Object.fromEntries(renditions.map((r, i) => [String(i), r.state])));
  });
  console.log('the server, once per new version of a playlist:');
  const stored = Buffer.from(text);
  await time('decode and read it (position, startable, last part)', 100, () =>
    readPlaylist(stored.toString('latin1')),
  );
  await time('make its delta update (_HLS_skip=YES)', 100, () => deltaUpdate(text));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
