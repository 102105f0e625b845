import {
  answerProfileLevelId,
  describeH264,
  h264CodecsMatch,
  isSameH264Profile,
  parseProfileLevelId,
  profileLevelIdToString,
} from './h264';

describe('H.264 profile-level-id', () => {
  it.each([
    ['42e01f', 'ConstrainedBaseline', 31],
    ['42c01f', 'ConstrainedBaseline', 31],
    ['42001f', 'Baseline', 31],
    ['4d001f', 'Main', 31],
    ['4d0032', 'Main', 50],
    ['64001f', 'High', 31],
    ['640032', 'High', 50],
    ['640c1f', 'ConstrainedHigh', 31],
    ['f4001f', 'PredictiveHigh444', 31],
    ['42f00b', 'ConstrainedBaseline', 0],
  ])('reads %s as %s level %d', (id, profile, level) => {
    expect(parseProfileLevelId(id)).toEqual({ profile, level });
  });

  it('reads the number sdp-transform makes of an all-digit value', () => {
    expect(parseProfileLevelId(640032)).toEqual({ profile: 'High', level: 50 });
  });

  it.each(['', '42e0', 'zzzzzz', '42e0ff', '6e001f'])('rejects %p', (id) => {
    expect(parseProfileLevelId(id)).toBeUndefined();
  });

  it('writes canonical strings', () => {
    expect(profileLevelIdToString({ profile: 'High', level: 50 })).toBe('640032');
    expect(profileLevelIdToString({ profile: 'ConstrainedBaseline', level: 31 })).toBe('42e01f');
    expect(profileLevelIdToString({ profile: 'Main', level: 0 })).toBe('4d100b');
  });

  it('treats a missing profile-level-id as Constrained Baseline', () => {
    expect(isSameH264Profile({}, { 'profile-level-id': '42e01f' })).toBe(true);
    expect(isSameH264Profile({}, { 'profile-level-id': '640032' })).toBe(false);
  });

  it('matches High at another level, not Constrained Baseline against Baseline', () => {
    const high = { 'packetization-mode': 1, 'profile-level-id': '640032' };
    expect(h264CodecsMatch({ 'packetization-mode': 1, 'profile-level-id': '64001f' }, high)).toBe(true);
    expect(
      h264CodecsMatch(
        { 'packetization-mode': 1, 'profile-level-id': '42001f' },
        { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
      ),
    ).toBe(false);
  });

  it('does not match different packetization modes (absent means 0)', () => {
    expect(
      h264CodecsMatch(
        { 'profile-level-id': '42e01f' },
        { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
      ),
    ).toBe(false);
    expect(
      h264CodecsMatch(
        { 'profile-level-id': '42e01f' },
        { 'packetization-mode': 0, 'profile-level-id': '42e01f' },
      ),
    ).toBe(true);
  });

  it('answers with our level when both allow level asymmetry, else the lower one', () => {
    const router = { 'profile-level-id': '640032', 'level-asymmetry-allowed': 1 };
    expect(answerProfileLevelId(router, { 'profile-level-id': '64001f', 'level-asymmetry-allowed': 1 })).toBe(
      '640032',
    );
    expect(answerProfileLevelId(router, { 'profile-level-id': '64001f' })).toBe('64001f');
    expect(answerProfileLevelId({}, {})).toBeUndefined();
    expect(() => answerProfileLevelId(router, { 'profile-level-id': '42e01f' })).toThrow();
  });

  it('describes codecs for humans', () => {
    expect(describeH264({ 'profile-level-id': '42e01f', 'packetization-mode': 0 })).toBe(
      'H264 (Constrained Baseline 3.1, packetization-mode=0)',
    );
    expect(describeH264({ 'profile-level-id': '640032', 'packetization-mode': 1 })).toBe(
      'H264 (High 5.0, packetization-mode=1)',
    );
  });
});
