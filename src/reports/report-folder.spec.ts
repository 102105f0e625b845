import type { AppConfig } from '../config/config';
import type { RoomPublisher } from '../room/room-publisher';
import type { SqlRunner } from '../database/sql';
import type { WebhooksService } from '../webhooks/webhooks.service';
import { backgroundFoldDelay, nextFoldDelay, ReportFolder } from './report-folder';
import type { FoldedRow, ReportsRepository } from './reports.repository';

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

describe('backgroundFoldDelay', () => {
  const c = { foldMs: 1000, foldMaxPercent: 20 };

  it('keeps the cap while orders are being journaled, backlog or not', () => {
    expect(backgroundFoldDelay({ ms: 500, backlog: true, journalGrowing: true }, c)).toBe(2000);
    expect(backgroundFoldDelay({ ms: 100, backlog: false, journalGrowing: true }, c)).toBe(1000);
  });

  it('catches up at once when a backlog is left and the journal stopped growing', () => {
    expect(backgroundFoldDelay({ ms: 500, backlog: true, journalGrowing: false }, c)).toBe(0);
  });

  it('waits REPORTS_FOLD_MS when the journal is drained', () => {
    expect(backgroundFoldDelay({ ms: 10, backlog: false, journalGrowing: false }, c)).toBe(1000);
  });
});

describe('ReportFolder (background)', () => {
  /** A journal of `seqs` (ascending); fold(limit) takes the lowest, as reports_fold does. */
  function setup(seqs: number[]) {
    const journal = [...seqs];
    const folds: number[] = [];
    const repo = {
      fold: jest.fn(async (limit: number, inTx?: (rows: FoldedRow[], q: SqlRunner) => Promise<void>) => {
        const taken = journal.splice(0, limit);
        folds.push(taken.length);
        const rows = taken.map((seq): FoldedRow => ({
          orderId: `o${seq}`,
          status: 'pending_payment',
          sign: 1,
          op: 'created',
          refundId: null,
        }));
        if (inTx && rows.length > 0) await inTx(rows, {} as SqlRunner);
        return rows;
      }),
      journalHead: jest.fn(async () => (journal.length ? journal[journal.length - 1] : 0)),
      streamsOfOrders: jest.fn(async () => []),
      streamTotals: jest.fn(async () => []),
    };
    const webhooks = { addOrderEvents: jest.fn(async () => []), enqueue: jest.fn(async () => undefined) };
    const folder = new ReportFolder(
      repo as unknown as ReportsRepository,
      webhooks as unknown as WebhooksService,
      { publish: jest.fn(async () => undefined) } as unknown as RoomPublisher,
      { reports: { foldMs: 1000, foldBatch: 2, foldMaxPercent: 20 } } as AppConfig,
    );
    return { folder, journal, folds, repo };
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('folds one batch per tick while the journal grows, then drains it without waiting', async () => {
    const { folder, journal, folds, repo } = setup([1, 2, 3, 4, 5]);
    folder.onApplicationBootstrap();

    await jest.advanceTimersByTimeAsync(1000);
    // First tick: one transaction of 2 rows, though 3 more wait; the journal had grown since boot.
    expect(folds).toEqual([2]);

    journal.push(6, 7); // orders keep coming
    await jest.advanceTimersByTimeAsync(999);
    expect(folds).toEqual([2]);
    await jest.advanceTimersByTimeAsync(1);
    expect(folds).toEqual([2, 2]);

    // The sale is over: nothing new was journaled since the last tick, so the rest of the
    // backlog goes in the next batch straight away (setTimeout 0, i.e. 1 ms), not a tick later.
    await jest.advanceTimersByTimeAsync(1000);
    expect(folds).toEqual([2, 2, 2]);
    await jest.advanceTimersByTimeAsync(1);
    expect(folds).toEqual([2, 2, 2, 1]);
    expect(journal).toEqual([]);

    await jest.advanceTimersByTimeAsync(1000);
    expect(folds).toEqual([2, 2, 2, 1, 0]);
    // The journal's head is read only after batches that left a backlog (the first three).
    expect(repo.journalHead).toHaveBeenCalledTimes(3);
    await folder.onModuleDestroy();
  });

  it('fold() on demand drains everything, batch after batch', async () => {
    const { folder, journal, folds } = setup([1, 2, 3, 4, 5]);
    await expect(folder.fold()).resolves.toBe(5);
    expect(folds).toEqual([2, 2, 1]);
    expect(journal).toEqual([]);
  });
});
