import { ReactionAggregator, type ReactionCounts } from './reactions';

describe('ReactionAggregator', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends one sum per stream per window, however many clicks', () => {
    const flushed: [string, ReactionCounts][] = [];
    const agg = new ReactionAggregator(250, (s, c) => flushed.push([s, c]));
    for (let i = 0; i < 1000; i++) agg.add('a', 'like');
    agg.add('a', 'fire');
    agg.add('b', 'like');
    expect(flushed).toEqual([]);
    jest.advanceTimersByTime(250);
    expect(flushed).toEqual([
      ['a', { like: 1000, fire: 1 }],
      ['b', { like: 1 }],
    ]);
  });

  it('never holds a click longer than one window', () => {
    const flushed: number[] = [];
    const agg = new ReactionAggregator(250, () => flushed.push(Date.now()));
    const start = Date.now();
    jest.advanceTimersByTime(1000);
    agg.add('a', 'like');
    jest.advanceTimersByTime(249);
    expect(flushed).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(flushed).toEqual([start + 1250]);
  });

  it('stays quiet when nobody clicks', () => {
    const flush = jest.fn();
    const agg = new ReactionAggregator(250, flush);
    agg.add('a', 'like');
    jest.advanceTimersByTime(5000);
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('reports likes not yet flushed', () => {
    const agg = new ReactionAggregator(250, () => undefined);
    agg.add('a', 'like');
    agg.add('a', 'like');
    agg.add('a', 'wow');
    expect(agg.pendingLikes('a')).toBe(2);
    agg.flushNow();
    expect(agg.pendingLikes('a')).toBe(0);
  });
});
