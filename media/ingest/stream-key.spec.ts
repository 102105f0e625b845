import { rtmpStreamKey } from './rtmp-server';
import { parseSrtStreamId } from './srt-server';

describe('where an encoder puts the stream key', () => {
  it('RTMP: the stream name, without a query; or the last part of the app when OBS got it in the server URL', () => {
    expect(rtmpStreamKey('live', 'sk_live_abc')).toBe('sk_live_abc');
    expect(rtmpStreamKey('live', 'sk_live_abc?foo=1')).toBe('sk_live_abc');
    expect(rtmpStreamKey('live/sk_live_abc', '')).toBe('sk_live_abc');
    expect(rtmpStreamKey('live', '')).toBe('');
    expect(rtmpStreamKey(undefined, undefined)).toBe('');
  });

  it('SRT: the bare key, live/KEY, or the access-control syntax with its mode', () => {
    expect(parseSrtStreamId('sk_live_abc')).toEqual({ key: 'sk_live_abc', mode: undefined });
    expect(parseSrtStreamId('live/sk_live_abc')).toEqual({ key: 'sk_live_abc', mode: undefined });
    expect(parseSrtStreamId('#!::r=live/sk_live_abc,m=publish')).toEqual({
      key: 'sk_live_abc',
      mode: 'publish',
    });
    expect(parseSrtStreamId('#!::m=request,r=sk_live_abc')).toEqual({ key: 'sk_live_abc', mode: 'request' });
    expect(parseSrtStreamId('#!::u=bob')).toEqual({ key: '', mode: undefined });
    expect(parseSrtStreamId('')).toEqual({ key: '', mode: undefined });
  });
});

describe('an SRT streamid sent as it stood in a URL', () => {
  it('is percent-decoded first (ffmpeg 5.1 sends it so)', () => {
    expect(parseSrtStreamId('%23!%3A%3Ar%3Dlive%2Fsk_1%2Cm%3Dpublish')).toEqual({
      key: 'sk_1',
      mode: 'publish',
    });
    expect(parseSrtStreamId('sk_%zz')).toEqual({ key: 'sk_%zz', mode: undefined });
  });
});
