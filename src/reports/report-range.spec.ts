import { isTimeZone, resolveRange } from './report-range';

describe('resolveRange', () => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('defaults to a day granularity over the last 30 days', () => {
    const r = resolveRange({}, now);
    expect(r.granularity).toBe('day');
    expect(r.to).toEqual(now);
    expect(r.to.getTime() - r.from.getTime()).toBe(30 * 86_400_000);
  });

  it('refuses an unknown granularity, naming the field', () => {
    expect(() => resolveRange({ granularity: 'week' }, now)).toThrow(/granularity/);
  });

  it('refuses a date that is not ISO 8601, naming the field', () => {
    expect(() => resolveRange({ from: 'yesterday' }, now)).toThrow(/^from must be/);
    expect(() => resolveRange({ to: '2026-13-45' }, now)).toThrow(/^to must be/);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => resolveRange({ from: '2026-03-02', to: '2026-03-01' }, now)).toThrow(
      /from must be before to/,
    );
  });

  it('allows 7 days by the minute but not more', () => {
    expect(
      resolveRange({ granularity: 'minute', from: '2026-03-01', to: '2026-03-08' }, now).granularity,
    ).toBe('minute');
    expect(() =>
      resolveRange({ granularity: 'minute', from: '2026-03-01', to: '2026-03-08T00:00:01Z' }, now),
    ).toThrow(/at most 7 days/);
  });
});

describe('isTimeZone', () => {
  it('accepts IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('America/Los_Angeles')).toBe(true);
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
