import { ValidationError } from '../common/errors/domain-errors';
import { GRANULARITIES, type Granularity } from './report-views';

/** Rollup grains (the `grain` column of the rollup tables). */
export const GRAIN = { total: 0, minute: 1, hour: 2, day: 3, pinned: 4 } as const;

/** Longest range per granularity: a report has at most a few thousand buckets. */
export const MAX_RANGE_MS: Record<Granularity, number> = {
  minute: 7 * 86_400_000,
  hour: 92 * 86_400_000,
  day: 1100 * 86_400_000,
};
/** Range used when `from` is left out, ending at `to`. */
export const DEFAULT_RANGE_MS: Record<Granularity, number> = {
  minute: 3 * 3_600_000,
  hour: 2 * 86_400_000,
  day: 30 * 86_400_000,
};

export interface ReportRange {
  from: Date;
  to: Date;
  granularity: Granularity;
}

function parseTime(field: string, v: string | undefined): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    throw new ValidationError(`${field} must be an ISO 8601 date or date-time`, { field });
  }
  return d;
}

/**
 * The half-open range [from, to) of a report. Buckets are those whose start
 * (in the merchant's time zone) lies in it; `from` is rounded down to its
 * bucket. Defaults: `to` = now, `from` = `to` minus DEFAULT_RANGE_MS.
 */
export function resolveRange(
  q: { from?: string; to?: string; granularity?: string },
  now: Date = new Date(),
): ReportRange {
  const granularity = (q.granularity ?? 'day') as Granularity;
  if (!GRANULARITIES.includes(granularity)) {
    throw new ValidationError(`granularity must be one of ${GRANULARITIES.join(', ')}`, {
      field: 'granularity',
    });
  }
  const to = parseTime('to', q.to) ?? now;
  const from = parseTime('from', q.from) ?? new Date(to.getTime() - DEFAULT_RANGE_MS[granularity]);
  if (from.getTime() >= to.getTime()) {
    throw new ValidationError('from must be before to', { field: 'from' });
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_MS[granularity]) {
    const days = MAX_RANGE_MS[granularity] / 86_400_000;
    throw new ValidationError(
      `to - from is too long for granularity=${granularity}: at most ${days} days (use a coarser granularity)`,
      { field: 'to' },
    );
  }
  return { from, to, granularity };
}

/** True when `tz` is an IANA time zone this runtime (and, in practice, Postgres) knows. */
export function isTimeZone(tz: string): boolean {
  if (tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
