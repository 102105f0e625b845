import type { Provider } from '@nestjs/common';
import { ConfigError, EnvReader } from '../config/env';

/** Reports tuning, read once at boot from the environment. Every option with its default: */
export interface ReportsConfig {
  /**
   * REPORTS_FOLD_MS (1000): how often the background folder drains the order
   * journal into the rollups; also the live GMV ticker's cadence. Reports
   * fold before reading, so this never makes a report stale.
   */
  foldMs: number;
  /**
   * REPORTS_FOLD_BATCH (5000): journal rows folded per transaction (the
   * background folder runs one per tick). Larger batches cost more per row:
   * in one sale, ~0.23 ms per row at 3,600–11,000 rows, 1.2 ms at 50,000.
   */
  foldBatch: number;
  /**
   * REPORTS_FOLD_MAX_PERCENT (20): the largest share of wall time, in percent,
   * the background folder spends folding (it waits longer after long folds),
   * so order intake keeps the CPU during a sale.
   */
  foldMaxPercent: number;
}

export const REPORTS_CONFIG = Symbol('REPORTS_CONFIG');

export function loadReportsConfig(env: NodeJS.ProcessEnv = process.env): ReportsConfig {
  const r = new EnvReader(env);
  const c: ReportsConfig = {
    foldMs: r.int('REPORTS_FOLD_MS', 1000, 50, 60_000),
    foldBatch: r.int('REPORTS_FOLD_BATCH', 5_000, 100, 1_000_000),
    foldMaxPercent: r.int('REPORTS_FOLD_MAX_PERCENT', 20, 1, 100),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return c;
}

export const reportsConfigProvider: Provider = {
  provide: REPORTS_CONFIG,
  useFactory: () => loadReportsConfig(),
};
