import { SdpError, sdpErrorHttpStatus, type SdpErrorCode } from './errors';
import { errorOf, fixture } from './fixtures';
import { offerToDtlsParameters, parseOffer } from './parse';

function codeOf(fn: () => unknown): SdpErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SdpError) return e.code;
    throw e;
  }
  return undefined;
}

/** Removes every line starting with one of the prefixes (test input surgery only). */
const without = (sdp: string, ...prefixes: string[]): string =>
  sdp
    .split(/\r\n/)
    .filter((l) => !prefixes.some((p) => l.startsWith(p)))
    .join('\r\n');

describe('parseOffer', () => {
  it('reads a Chromium WHIP publisher offer', () => {
    const offer = parseOffer(fixture('chromium-publisher.sdp'));
    expect(offer.bundle).toEqual(['0', '1']);
    expect(offer.setup).toBe('actpass');
    expect(offer.iceUfrag).toMatch(/^\S{4,}$/);
    expect(offer.icePwd.length).toBeGreaterThanOrEqual(22);
    expect(offer.fingerprints).toEqual([
      { algorithm: 'sha-256', value: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) },
    ]);
    expect(offer.extmapAllowMixed).toBe(true);
    expect(offer.media.map((m) => [m.kind, m.mid, m.direction, m.rtcpMux, m.rtcpRsize])).toEqual([
      ['audio', '0', 'sendonly', true, true],
      ['video', '1', 'sendonly', true, true],
    ]);
    const [audio, video] = offer.media;
    expect(audio.codecs[0]).toEqual({
      payloadType: 111,
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      parameters: { minptime: 10, useinbandfec: 1 },
      rtcpFeedback: [{ type: 'transport-cc' }],
    });
    // Static payload types without a=rtpmap are not lost.
    expect(audio.codecs.map((c) => c.mimeType)).toContain('audio/PCMU');
    const h264 = video.codecs.find((c) => c.payloadType === 108);
    expect(h264).toMatchObject({
      mimeType: 'video/H264',
      parameters: { 'level-asymmetry-allowed': 1, 'packetization-mode': 1, 'profile-level-id': '42e01f' },
    });
    expect(h264?.rtcpFeedback).toContainEqual({ type: 'nack', parameter: 'pli' });
    expect(video.codecs.find((c) => c.payloadType === 109)).toMatchObject({
      mimeType: 'video/rtx',
      parameters: { apt: 108 },
    });
    expect(video.headerExtensions).toContainEqual({
      id: 4,
      uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
      encrypted: false,
    });
    expect(video.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: [expect.any(Number), expect.any(Number)] }]);
    expect(video.ssrcs).toHaveLength(2);
    expect(video.ssrcs[0].cname).toBeTruthy();
    expect(video.msid).toEqual({ streamId: expect.any(String), trackId: expect.any(String) });
  });

  it('reads rids and the simulcast description of a Chromium simulcast offer', () => {
    const video = parseOffer(fixture('chromium-simulcast.sdp')).media[1];
    expect(video.rids).toEqual(['q', 'h', 'f'].map((id) => ({ id, direction: 'send', restrictions: {} })));
    expect(video.simulcast).toEqual({
      send: [[{ rid: 'q', paused: false }], [{ rid: 'h', paused: false }], [{ rid: 'f', paused: false }]],
    });
    expect(video.ssrcs).toEqual([]);
  });

  it('reads a recvonly WHEP viewer offer', () => {
    const offer = parseOffer(fixture('chromium-viewer.sdp'));
    expect(offer.media.map((m) => m.direction)).toEqual(['recvonly', 'recvonly']);
    expect(offer.media[1].codecs.find((c) => c.payloadType === 41)?.parameters['profile-level-id']).toBe(
      'f4001f',
    );
  });

  it('reads the offers of a Node WebRTC stack', () => {
    const pub = parseOffer(fixture('wrtc-publisher.sdp'));
    expect(pub.media.map((m) => m.direction)).toEqual(['sendonly', 'sendonly']);
    expect(pub.media[1].codecs[0].mimeType).toBe('video/VP8');
    expect(parseOffer(fixture('wrtc-viewer.sdp')).media.map((m) => m.direction)).toEqual([
      'recvonly',
      'recvonly',
    ]);
  });

  it('reads session-level ICE/DTLS and media-level setup of an OBS (libdatachannel) offer', () => {
    const offer = parseOffer(fixture('obs-whip.sdp'));
    expect(offer.iceUfrag).toBe('xK9d');
    expect(offer.iceOptions).toEqual(['ice2', 'trickle']);
    expect(offer.fingerprints).toHaveLength(1);
    expect(offer.media[1].codecs).toEqual([
      {
        payloadType: 96,
        mimeType: 'video/H264',
        clockRate: 90000,
        parameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1, 'level-asymmetry-allowed': 1 },
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
      },
    ]);
    expect(offer.media[0].rtcpRsize).toBe(false);
  });

  it('keeps an all-digit profile-level-id a string and mids strings', () => {
    const sdp = fixture('obs-whip.sdp').replace('profile-level-id=42e01f', 'profile-level-id=640032');
    const offer = parseOffer(sdp);
    expect(offer.media[1].codecs[0].parameters['profile-level-id']).toBe('640032');
    expect(offer.media.map((m) => typeof m.mid)).toEqual(['string', 'string']);
  });

  it('gives transport.connect() the client fingerprints and role', () => {
    const offer = parseOffer(fixture('obs-whip.sdp'));
    expect(offerToDtlsParameters(offer)).toEqual({ role: 'client', fingerprints: offer.fingerprints });
    const passive = parseOffer(fixture('obs-whip.sdp').replace(/a=setup:actpass/g, 'a=setup:passive'));
    expect(offerToDtlsParameters(passive).role).toBe('server');
  });

  describe('refuses', () => {
    it.each([
      ['garbage text', 'hello, this is not SDP'],
      ['JSON', '{"sdp":"v=0"}'],
      ['an empty body', ''],
      ['SDP without o= line', 'v=0\r\ns=-\r\nt=0 0\r\n'],
    ])('%s as malformed', (_name, text) => {
      expect(codeOf(() => parseOffer(text))).toBe('malformed');
    });

    it('SDP without audio or video as no_media', () => {
      const sdp =
        'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n';
      expect(codeOf(() => parseOffer(sdp))).toBe('no_media');
    });

    it('an offer without rtcp-mux as no_rtcp_mux, saying mediasoup needs it', () => {
      const error = errorOf(() => parseOffer(without(fixture('chromium-publisher.sdp'), 'a=rtcp-mux')));
      expect(error.code).toBe('no_rtcp_mux');
      expect(error.message).toMatch(/RFC 5761/);
      expect(sdpErrorHttpStatus(error)).toBe(400);
    });

    it('an offer without fingerprint as no_dtls', () => {
      expect(codeOf(() => parseOffer(without(fixture('chromium-publisher.sdp'), 'a=fingerprint')))).toBe(
        'no_dtls',
      );
      expect(codeOf(() => parseOffer(without(fixture('obs-whip.sdp'), 'a=fingerprint')))).toBe('no_dtls');
    });

    it('plain RTP/AVP as no_dtls', () => {
      expect(
        codeOf(() => parseOffer(fixture('obs-whip.sdp').replace(/UDP\/TLS\/RTP\/SAVPF/g, 'RTP/AVP'))),
      ).toBe('no_dtls');
    });

    it('a=setup:holdconn as no_dtls', () => {
      expect(
        codeOf(() => parseOffer(fixture('obs-whip.sdp').replace(/a=setup:actpass/g, 'a=setup:holdconn'))),
      ).toBe('no_dtls');
    });

    it('an offer without ICE credentials as no_ice', () => {
      expect(
        codeOf(() => parseOffer(without(fixture('chromium-publisher.sdp'), 'a=ice-ufrag', 'a=ice-pwd'))),
      ).toBe('no_ice');
    });

    it('two m-lines without BUNDLE as not_bundled', () => {
      const error = errorOf(() => parseOffer(without(fixture('chromium-publisher.sdp'), 'a=group:BUNDLE')));
      expect(error.code).toBe('not_bundled');
      expect(error.message).toMatch(/0, 1/);
      const half = fixture('chromium-publisher.sdp').replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0');
      expect(codeOf(() => parseOffer(half))).toBe('not_bundled');
    });

    it('duplicated mids as malformed', () => {
      expect(codeOf(() => parseOffer(fixture('obs-whip.sdp').replace('a=mid:1', 'a=mid:0')))).toBe(
        'malformed',
      );
    });

    it.each(['0', '256'])('a=extmap:%s (no such header extension id) as malformed', (id) => {
      const sdp = fixture('chromium-publisher.sdp').replace(/a=extmap:\d+ /, `a=extmap:${id} `);
      const e = errorOf(() => parseOffer(sdp));
      expect(e.code).toBe('malformed');
      expect(e.message).toContain(`a=extmap:${id} has an invalid id`);
      expect(sdpErrorHttpStatus(e)).toBe(400);
    });
  });

  it('accepts a single m-line without BUNDLE', () => {
    const lines = fixture('obs-whip.sdp').split('\r\n');
    const video = lines.findIndex((l) => l.startsWith('m=video'));
    const audioOnly = [...lines.slice(0, video), '']
      .join('\r\n')
      .replace('a=group:BUNDLE 0 1\r\n', '')
      .replace('a=group:LS 0 1\r\n', '');
    const offer = parseOffer(audioOnly);
    expect(offer.bundle).toEqual([]);
    expect(offer.media).toHaveLength(1);
  });
});
