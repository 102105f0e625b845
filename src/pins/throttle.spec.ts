import { Throttle } from './throttle';

describe('Throttle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('emits the first value at once and the latest of a burst when the window closes', () => {
    const out: [string, number][] = [];
    const t = new Throttle<number>(200, (k, v) => out.push([k, v]));
    t.push('a', 1);
    t.push('a', 2);
    t.push('a', 3);
    t.push('b', 9);
    expect(out).toEqual([
      ['a', 1],
      ['b', 9],
    ]);
    jest.advanceTimersByTime(200);
    expect(out).toEqual([
      ['a', 1],
      ['b', 9],
      ['a', 3],
    ]);
    jest.advanceTimersByTime(400);
    expect(out).toHaveLength(3);
    t.push('a', 4);
    expect(out[3]).toEqual(['a', 4]);
    t.clear();
  });

  it('merges pending values with the merge function', () => {
    const out: number[][] = [];
    const t = new Throttle<number[]>(
      100,
      (_k, v) => out.push(v),
      (a, b) => [...a, ...b],
    );
    t.push('x', [1]);
    t.push('x', [2]);
    t.push('x', [3]);
    jest.advanceTimersByTime(100);
    expect(out).toEqual([[1], [2, 3]]);
    t.clear();
  });
});
