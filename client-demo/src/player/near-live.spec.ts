import { NEAR_LIVE_MIN_SECONDS, NEAR_LIVE_PARTS, NearLive, STALL_FORGIVE_MS } from './near-live';

describe('NearLive: where the watch page keeps hls.js', () => {
  const live = { live: true, partTarget: 1 / 3, partHoldBack: 1, holdBack: 6 };
  const near = NEAR_LIVE_PARTS / 3;

  it('leaves the target alone until the playlist says what near live is', () => {
    const n = new NearLive();
    expect(n.correction(3, 10_000)).toBeNull();
    n.playlist({ live: false, partTarget: 1 / 3, partHoldBack: 1 });
    expect(n.correction(3, 10_000)).toBeNull();
  });

  it('starts closer than PART-HOLD-BACK: two part targets behind the end', () => {
    const n = new NearLive();
    n.playlist(live);
    // hls.js starts at the playlist's PART-HOLD-BACK (1 s); the player moves it at once.
    expect(n.correction(1, 0)).toBeCloseTo(near, 5);
    expect(near).toBeLessThan(1);
  });

  it('puts the target back near live once playback ran a quiet while after a stall', () => {
    const n = new NearLive();
    n.playlist(live);
    n.stalled(1000);
    expect(n.correction(3, 1000 + STALL_FORGIVE_MS - 1)).toBeNull();
    expect(n.correction(3, 1000 + STALL_FORGIVE_MS)).toBeCloseTo(near, 5);
  });

  it('does nothing when the target is already near live, and keeps the first playlist', () => {
    const n = new NearLive();
    n.playlist(live);
    n.playlist({ live: true, partTarget: 1, partHoldBack: 3 });
    expect(n.correction(near + 0.04, 60_000)).toBeNull();
    expect(n.correction(2, 60_000)).toBeCloseTo(near, 5);
  });

  it('keeps at least NEAR_LIVE_MIN_SECONDS behind the end when parts are short', () => {
    const short = new NearLive();
    short.playlist({ live: true, partTarget: 0.2, partHoldBack: 0.6, holdBack: 6 });
    // Two 0.2 s parts would be 0.4 s: too little buffer; the playlist's own hold-back is the floor here.
    expect(short.correction(1.6, 60_000)).toBe(NEAR_LIVE_MIN_SECONDS);
    const shorter = new NearLive();
    shorter.playlist({ live: true, partTarget: 0.1, partHoldBack: 0.3, holdBack: 6 });
    expect(shorter.correction(1.3, 60_000)).toBe(0.3);
  });

  it('never goes closer than a PART-HOLD-BACK below two parts, and falls back to HOLD-BACK without parts', () => {
    const tight = new NearLive();
    tight.playlist({ live: true, partTarget: 0.5, partHoldBack: 0.9 });
    expect(tight.correction(2, 60_000)).toBe(0.9);
    const plain = new NearLive();
    plain.playlist({ live: true, partTarget: null, partHoldBack: null, holdBack: 6 });
    expect(plain.correction(8, 60_000)).toBe(6);
  });
});
