import { countdown, msUntilPinVisible, pinVisible } from './pin-timing';

describe('pin timing', () => {
  const pinnedAt = '2026-11-22T10:00:00.000Z';

  it('shows a pin at once to a real-time (WebRTC) viewer', () => {
    expect(pinVisible(pinnedAt, null)).toBe(true);
    expect(msUntilPinVisible(pinnedAt, null)).toBe(0);
  });

  it('holds the pin back from an HLS viewer until their video reaches the pin time', () => {
    const behind = new Date('2026-11-22T09:59:54.500Z'); // 5.5 s behind
    expect(pinVisible(pinnedAt, behind)).toBe(false);
    expect(msUntilPinVisible(pinnedAt, behind)).toBe(5500);
    expect(pinVisible(pinnedAt, new Date('2026-11-22T09:59:59.999Z'))).toBe(false);
    expect(pinVisible(pinnedAt, new Date(pinnedAt))).toBe(true);
    expect(pinVisible(pinnedAt, new Date('2026-11-22T10:00:03Z'))).toBe(true);
  });

  it('shows the pin when the pin time is unreadable rather than never', () => {
    expect(pinVisible('not a date', new Date())).toBe(true);
  });

  it('counts a flash sale down to zero', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(countdown(null, now)).toBeNull();
    expect(countdown('2026-11-22T10:04:59.200Z', now)).toEqual({ ended: false, text: '5:00' });
    expect(countdown('2026-11-22T11:02:03Z', now)).toEqual({ ended: false, text: '1:02:03' });
    expect(countdown('2026-11-22T09:00:00Z', now)).toEqual({ ended: true, text: '0:00' });
  });
});
