import { MediaBusyError, TooManyPendingError } from './errors';
import { PendingSessions } from './pending-sessions';

describe('PendingSessions', () => {
  it('bounds connecting sessions per client (429) and per stream (503), with when to retry', () => {
    const p = new PendingSessions({ perStream: 3, perClient: 2, retryAfterSeconds: 10 });
    const a1 = p.acquire('s', 'a');
    p.acquire('s', 'a');
    expect(() => p.acquire('s', 'a')).toThrow(TooManyPendingError);
    p.acquire('s', 'b');
    let busy: unknown;
    try {
      p.acquire('s', 'c');
    } catch (e) {
      busy = e;
    }
    expect(busy).toBeInstanceOf(MediaBusyError);
    expect(busy).toMatchObject({ status: 503, retryAfterSeconds: 10 });
    // Another stream is not affected.
    expect(() => p.acquire('t', 'c')).not.toThrow();
    // A connected (or closed) session no longer counts, whatever calls release how often.
    a1();
    a1();
    expect(p.ofClient('a')).toBe(1);
    expect(p.ofStream('s')).toBe(2);
    expect(() => p.acquire('s', 'c')).not.toThrow();
  });

  it('has no limits at 0', () => {
    const p = new PendingSessions({ perStream: 0, perClient: 0, retryAfterSeconds: 1 });
    for (let i = 0; i < 1000; i++) p.acquire('s', 'a');
    expect(p.ofStream('s')).toBe(1000);
  });
});
