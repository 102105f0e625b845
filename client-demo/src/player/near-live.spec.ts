import { NearLive, STALL_FORGIVE_MS } from './near-live';

describe('NearLive: putting hls.js back near live after stalls', () => {
  const live = { live: true, partHoldBack: 1, holdBack: 6 };

  it('leaves the target alone until the playlist says what near live is', () => {
    const n = new NearLive();
    expect(n.correction(3, 10_000)).toBeNull();
    n.playlist({ live: false, partHoldBack: 1 });
    expect(n.correction(3, 10_000)).toBeNull();
  });

  it('puts the target back to PART-HOLD-BACK once playback ran a quiet while after a stall', () => {
    const n = new NearLive();
    n.playlist(live);
    n.stalled(1000);
    expect(n.correction(3, 1000 + STALL_FORGIVE_MS - 1)).toBeNull();
    expect(n.correction(3, 1000 + STALL_FORGIVE_MS)).toBe(1);
  });

  it('does nothing when the target is already near live, and keeps the first playlist hold-back', () => {
    const n = new NearLive();
    n.playlist(live);
    n.playlist({ live: true, partHoldBack: 2 });
    expect(n.correction(1.04, 60_000)).toBeNull();
    expect(n.correction(2, 60_000)).toBe(1);
  });

  it('falls back to HOLD-BACK for a playlist without parts', () => {
    const n = new NearLive();
    n.playlist({ live: true, partHoldBack: null, holdBack: 6 });
    expect(n.correction(8, 60_000)).toBe(6);
  });
});
