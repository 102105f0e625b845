import { isSwipeUp, nextLive } from './next-live';

const live = [{ id: 'c' }, { id: 'b' }, { id: 'a' }];

describe('nextLive', () => {
  it('opens the stream after the one watched, in the list order', () => {
    expect(nextLive(live, 'c')?.id).toBe('b');
    expect(nextLive(live, 'b')?.id).toBe('a');
  });

  it('wraps round from the last stream to the first', () => {
    expect(nextLive(live, 'a')?.id).toBe('c');
  });

  it('opens the first live stream for a viewer whose stream is not live any more', () => {
    expect(nextLive(live, 'ended')?.id).toBe('c');
  });

  it('has nothing to open when only the watched stream is live, or none is', () => {
    expect(nextLive([{ id: 'a' }], 'a')).toBeNull();
    expect(nextLive([], 'a')).toBeNull();
  });

  it('opens the only other stream both ways', () => {
    expect(nextLive([{ id: 'a' }, { id: 'b' }], 'a')?.id).toBe('b');
    expect(nextLive([{ id: 'a' }, { id: 'b' }], 'b')?.id).toBe('a');
  });
});

describe('isSwipeUp', () => {
  const h = 844;
  it('takes a long, upward drag as a swipe up', () => {
    expect(isSwipeUp({ x: 200, y: 600 }, { x: 210, y: 300 }, h)).toBe(true);
  });

  it('ignores a tap and a short drag (less than 12 % of the screen)', () => {
    expect(isSwipeUp({ x: 200, y: 600 }, { x: 200, y: 600 }, h)).toBe(false);
    expect(isSwipeUp({ x: 200, y: 600 }, { x: 200, y: 510 }, h)).toBe(false);
    expect(isSwipeUp({ x: 200, y: 600 }, { x: 200, y: 498 }, h)).toBe(true);
  });

  it('needs at least 60 px on a short screen', () => {
    expect(isSwipeUp({ x: 0, y: 100 }, { x: 0, y: 45 }, 300)).toBe(false);
    expect(isSwipeUp({ x: 0, y: 100 }, { x: 0, y: 40 }, 300)).toBe(true);
  });

  it('ignores a drag down and a mostly sideways drag', () => {
    expect(isSwipeUp({ x: 200, y: 300 }, { x: 200, y: 600 }, h)).toBe(false);
    expect(isSwipeUp({ x: 50, y: 600 }, { x: 350, y: 450 }, h)).toBe(false);
  });
});
