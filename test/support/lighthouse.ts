import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_ARGS } from './browser';

const run = promisify(execFile);
const LIGHTHOUSE_CLI = path.resolve(__dirname, '../../node_modules/lighthouse/cli/index.js');

/** What the tests and the bench read of Lighthouse's JSON report (lighthouse/types/lhr). */
export interface LighthouseReport {
  lighthouseVersion: string;
  runWarnings: string[];
  categories: Record<
    string,
    { title: string; score: number | null; auditRefs: { id: string; weight: number }[] }
  >;
  audits: Record<
    string,
    {
      title: string;
      score: number | null;
      scoreDisplayMode: string;
      displayValue?: string;
      numericValue?: number;
    }
  >;
}

/** The three categories scored (issue 24's bar is ≥ 0.9 in each). */
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
/** The metrics the performance score is made of. */
const METRICS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'speed-index',
] as const;

/**
 * One Lighthouse run on `url`; its reports (JSON, HTML) are `${base}.report.*`. Lighthouse's own
 * Chromium (chrome-launcher, a new profile each run: a viewer's first visit) with the project's
 * flags, Lighthouse's defaults otherwise: a mobile form factor, simulated throttling. With `cpus`
 * (taskset's list), Lighthouse and its Chromium run on those CPUs only.
 */
export async function lighthouse(
  url: string,
  base: string,
  cpus?: string,
): Promise<{ lhr: LighthouseReport; stderr: string }> {
  fs.mkdirSync(path.dirname(base), { recursive: true });
  const cli = [
    process.execPath,
    LIGHTHOUSE_CLI,
    url,
    `--only-categories=${CATEGORIES.join(',')}`,
    '--output=json',
    '--output=html',
    `--output-path=${base}`,
    `--chrome-flags=${CHROMIUM_ARGS.join(' ')}`,
    '--quiet',
  ];
  const [command, ...args] = cpus ? ['taskset', '-c', cpus, ...cli] : cli;
  const { stderr } = await run(command, args, {
    env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    timeout: 150_000,
  }).catch((e: Error & { stderr?: string }) => {
    throw new Error(`Lighthouse failed: ${e.message}\n${e.stderr ?? ''}`);
  });
  return { lhr: JSON.parse(fs.readFileSync(`${base}.report.json`, 'utf8')) as LighthouseReport, stderr };
}

/** A category's score (0–1), null when Lighthouse could not score it. */
export function categoryScore(lhr: LighthouseReport, id: string): number | null {
  return lhr.categories[id]?.score ?? null;
}

/** Every scored audit below 0.9 of the report's categories, with its value: what lost points. */
export function lostPoints(lhr: LighthouseReport): string[] {
  return Object.entries(lhr.categories).flatMap(([category, c]) =>
    c.auditRefs
      .map((ref) => ({ ref, audit: lhr.audits[ref.id] }))
      .filter(
        ({ audit }) =>
          audit &&
          audit.score !== null &&
          audit.score < 0.9 &&
          ['binary', 'numeric', 'metricSavings'].includes(audit.scoreDisplayMode),
      )
      .map(
        ({ ref, audit }) =>
          `${category}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''} score ${audit.score} weight ${ref.weight}`,
      ),
  );
}

/** One line for a run: the categories' scores, then the metrics' values, then Lighthouse's warnings. */
export function runSummary(lhr: LighthouseReport): string {
  return (
    `${CATEGORIES.map((id) => `${id} ${categoryScore(lhr, id)}`).join(', ')}; ` +
    METRICS.map((id) => `${id} ${lhr.audits[id]?.displayValue ?? '?'}`).join(', ') +
    lhr.runWarnings.map((w) => `\n  warning: ${w}`).join('')
  );
}
