import { nextFoldDelay } from './report-folder';

describe('nextFoldDelay', () => {
  const c = { foldMs: 1000, foldMaxPercent: 20 };

  it('waits REPORTS_FOLD_MS after short folds', () => {
    expect(nextFoldDelay(0, c)).toBe(1000);
    expect(nextFoldDelay(250, c)).toBe(1000);
  });

  it('stretches the wait so folding stays within its share of wall time', () => {
    // 20 %: a 500 ms fold is followed by 2 s of rest (500 / 2500 = 20 %).
    expect(nextFoldDelay(500, c)).toBe(2000);
    expect(nextFoldDelay(3000, c)).toBe(12_000);
    expect(nextFoldDelay(3000, { foldMs: 1000, foldMaxPercent: 50 })).toBe(3000);
  });

  it('never waits less than REPORTS_FOLD_MS, even at 100 %', () => {
    expect(nextFoldDelay(5000, { foldMs: 1000, foldMaxPercent: 100 })).toBe(1000);
  });
});
