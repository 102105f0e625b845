/**
 * `npm run bench:hls-playlist`: what one media playlist costs per part, late
 * in a long show, in the transcoder (render it, save its state) and in the
 * server (read a new version of it, make its delta update).
 *
 * Builds the playlist of a show BENCH_HOURS (2) long at the default part
 * settings (0.2 s parts, 10 a segment, a keyframe every 2nd) in memory and
 * times each call: the median of five rounds, with their range, in µs.
 * The state saved is that of three renditions, as the default ladder has.
 */
import { deltaUpdate, LlHlsPlaylist, readPlaylist } from '../media';

const HOURS = Number(process.env.BENCH_HOURS ?? 2);
if (!(HOURS > 0)) throw new Error('BENCH_HOURS must be a positive number');
const PART_MS = 200;

const renditions = ['360p', '480p', '720p'].map(() => {
  const pl = LlHlsPlaylist.create({ partTarget: PART_MS / 1000, partsPerSegment: 10, firstSegmentParts: 4 });
  pl.startRun('r1/init.mp4');
  return pl;
});
let n = 0;
const addPart = () => {
  for (const pl of renditions)
    pl.addPart(
      {
        uri: `r1/p${n}.m4s`,
        duration: PART_MS / 1000,
        pdt: Date.UTC(2026, 0, 1) + n * PART_MS,
        independent: n % 2 === 0,
      },
      `r1/p${n + 1}.m4s`,
    );
  n++;
};
while (n < (HOURS * 3600_000) / PART_MS) addPart();
const [pl] = renditions;
const text = pl.render();

/** Median and range of five rounds of `calls` calls, in µs per call. */
function time(name: string, calls: number, f: () => unknown): void {
  for (let i = 0; i < Math.min(calls, 20); i++) f();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) f();
    rounds.push(Number(process.hrtime.bigint() - t) / calls / 1e3);
  }
  rounds.sort((a, b) => a - b);
  const f1 = (x: number) => x.toFixed(x < 100 ? 1 : 0);
  console.log(`  ${name.padEnd(52)} ${f1(rounds[2]).padStart(8)} µs (${f1(rounds[0])}–${f1(rounds[4])})`);
}

console.log(
  `a ${HOURS} h show: ${pl.segments.length} segments, a ${Math.round(text.length / 1024)} KB playlist`,
);
console.log('the transcoder, at each part of each rendition:');
// Each call adds a part first, as the transcoder does (the caches then have something new).
time('add a part and render the playlist (bytes)', 100, () => {
  addPart();
  return Buffer.from(pl.render());
});
time("add a part and save the state (3 renditions' JSON)", 20, () => {
  addPart();
  return Buffer.from(
    `{"runs":1,"playlists":{${renditions.map((r, i) => `"${i}":${r.serialize()}`).join(',')}}}`,
  );
});
console.log('the server, once per new version of a playlist:');
const stored = Buffer.from(text);
time('decode and read it (position, startable, last part)', 100, () => readPlaylist(stored.toString()));
time('make its delta update (_HLS_skip=YES)', 100, () => deltaUpdate(text));
