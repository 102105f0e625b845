/**
 * npm run bench:lighthouse — Lighthouse on the phone watch page of a live stream (a WHIP
 * publisher, LL-HLS transcoded, a product pinned with a flash sale, chat going), inside a
 * loopback-only network namespace (scripts/netns-run.sh), as the quality-bars test runs it:
 * Lighthouse's defaults (a mobile form factor, simulated throttling, a new profile each run).
 * The watch page's hls.js makes its requests from a worker, which Lighthouse leaves out of the page's
 * load (a build whose requests are the page's own never finishes loading: Lighthouse then traces
 * 45 s of playback). Total blocking time sums the main thread's long tasks up to the page's
 * interactive time as Lighthouse saw them, time spent waiting for a CPU included, times its
 * simulated CPU slowdown.
 *
 * BENCH_RUNS runs (default 3) of each placement of BENCH_PLACEMENTS (default `shared`),
 * alternating, each placement a way the server shares the machine with Lighthouse's Chromium:
 *   - shared: every process on every CPU, as in `npm test`;
 *   - own-cores: the app and its children (mediasoup worker, ffmpeg) on the lower half of the
 *     CPUs, Lighthouse and its Chromium on the upper half (taskset);
 *   - niced: the app and its children at nice 19, yielding the CPUs to the browser.
 * Prints each run's scores and metrics, then per placement the median and range of the
 * performance score and of total blocking time. Target (issue 24): performance ≥ 0.9.
 * HLS_LADDER (default one 240p rendition, as in the quality-bars test) goes to the app.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { splitCores, withServerNiced, withServerOffClientCores } from '../test/support/cores';
import type { Peers } from '../test/support/ingest';
import { categoryScore, lighthouse, runSummary, type LighthouseReport } from '../test/support/lighthouse';
import { LiveClients } from '../test/support/live-client';
import { LIVE_PAGE_ENV, startLiveShop } from '../test/support/live-shop';
import { startTestApp } from '../test/support/test-app';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REPORTS = path.resolve(__dirname, '../test-results/bench-lighthouse');
type Run = { lhr: LighthouseReport; stderr: string };
/** The CPUs of `own-cores`: none without two CPUs and taskset (main refuses the placement then). */
const SPLIT = splitCores();
/** How each placement runs one Lighthouse measurement (`cpus`: taskset's list for Lighthouse). */
const PLACEMENTS: Record<string, (measure: (cpus?: string) => Promise<Run>) => Promise<Run>> = {
  shared: (measure) => measure(),
  'own-cores': (measure) => withServerOffClientCores(SPLIT!, measure),
  niced: (measure) => withServerNiced(() => measure()),
};
const CHOSEN = (process.env.BENCH_PLACEMENTS ?? 'shared').split(',');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs: number[], digits: number) =>
  `median ${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  const unknown = CHOSEN.filter((p) => !(p in PLACEMENTS));
  if (unknown.length)
    throw new Error(
      `BENCH_PLACEMENTS: no placement ${unknown.join(', ')} (${Object.keys(PLACEMENTS).join(', ')})`,
    );
  if (CHOSEN.includes('own-cores') && !SPLIT)
    throw new Error('own-cores needs two CPUs and taskset (util-linux) to give Lighthouse its own');
  const t = await startTestApp({
    redis: false,
    env: { ...LIVE_PAGE_ENV, ...(process.env.HLS_LADDER ? { HLS_LADDER: process.env.HLS_LADDER } : {}) },
  });
  const peers: Peers = [];
  const sockets = new LiveClients();
  try {
    const shop = await startLiveShop(t, peers, sockets);
    const url = `${t.baseUrl}/watch/${shop.streamId}`;
    console.log(
      `bench:lighthouse on ${os.cpus()[0]?.model ?? '?'} (${os.cpus().length} CPUs` +
        `${SPLIT ? `; own-cores: server ${SPLIT.server}, Lighthouse ${SPLIT.client}` : ''}), ` +
        `${RUNS} run(s) of ${CHOSEN.join(', ')}, alternating`,
    );
    const results = new Map<string, LighthouseReport[]>(CHOSEN.map((p) => [p, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const placement of CHOSEN) {
        const base = path.join(REPORTS, `${placement}-${i + 1}`);
        const { lhr } = await PLACEMENTS[placement]((cpus) => lighthouse(url, base, cpus));
        results.get(placement)?.push(lhr);
        console.log(`${placement} ${i + 1} (load ${os.loadavg()[0].toFixed(1)}): ${runSummary(lhr)}`);
      }
    }
    console.log('');
    for (const [placement, runs] of results) {
      const performance = runs.map((lhr) => categoryScore(lhr, 'performance') ?? 0);
      const tbt = runs.map((lhr) => lhr.audits['total-blocking-time']?.numericValue ?? NaN);
      console.log(
        `${placement.padEnd(9)}  performance ${spread(performance, 2)}  total blocking time ms ${spread(tbt, 0)}`,
      );
    }
    console.log(`reports: ${REPORTS}`);
  } finally {
    sockets.disconnectAll();
    for (const p of peers.splice(0)) p.close();
    await t.close();
  }
}

// process.exit: @roamhq/wrtc's threads can crash a natural exit once a peer has existed.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
