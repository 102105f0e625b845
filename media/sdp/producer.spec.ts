import { DEFAULT_MEDIA_CODECS, routerCapabilitiesFromCodecs } from './codecs';
import { sdpErrorHttpStatus } from './errors';
import { errorOf, fixture } from './fixtures';
import { parseOffer, type OfferedMedia } from './parse';
import { acceptedFromProducers, offerToProducerParameters, type ProducerSpec } from './producer';

/** What router.rtpCapabilities is with DEFAULT_MEDIA_CODECS (codecs.spec.ts proves it equals mediasoup's). */
const router = routerCapabilitiesFromCodecs(DEFAULT_MEDIA_CODECS);

const FP =
  'sha-256 5B:2E:93:0C:7A:F1:64:D8:11:3E:C9:A0:4F:72:B6:58:E3:0D:9C:21:47:AA:6F:B1:08:D5:3C:E2:95:7B:16:40';

/** A minimal one-m-line video publisher offer with the given codec lines. */
function videoOffer(
  payloads: string,
  codecLines: string[],
  extra: string[] = ['a=ssrc:1111 cname:pub'],
): string {
  return [
    'v=0',
    'o=- 1 0 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    `a=fingerprint:${FP}`,
    `m=video 9 UDP/TLS/RTP/SAVPF ${payloads}`,
    'c=IN IP4 0.0.0.0',
    'a=mid:0',
    'a=sendonly',
    'a=rtcp-mux',
    'a=setup:actpass',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:0123456789abcdefghijkl',
    ...codecLines,
    ...extra,
    '',
  ].join('\r\n');
}

const byKind = (specs: ProducerSpec[], kind: 'audio' | 'video'): ProducerSpec => {
  const spec = specs.find((s) => s.kind === kind);
  if (!spec) throw new Error(`no ${kind} producer`);
  return spec;
};

describe('offerToProducerParameters (WHIP)', () => {
  it('refuses video orientation (CVO) from a publisher, so a phone rotates its pixels and portrait stays portrait', () => {
    const offer = parseOffer(fixture('chromium-publisher.sdp'));
    expect(offer.media[1].headerExtensions.map((e) => e.uri)).toContain('urn:3gpp:video-orientation');
    const video = byKind(offerToProducerParameters(offer, router), 'video').rtpParameters;
    expect(video.headerExtensions?.map((e) => e.uri)).not.toContain('urn:3gpp:video-orientation');
  });

  it('negotiates a Chromium publisher: H.264 Constrained Baseline with RTX, opus, SSRCs, extensions, mid', () => {
    const offer = parseOffer(fixture('chromium-publisher.sdp'));
    const specs = offerToProducerParameters(offer, router);
    expect(specs.map((s) => [s.kind, s.mid])).toEqual([
      ['audio', '0'],
      ['video', '1'],
    ]);

    const video = byKind(specs, 'video').rtpParameters;
    expect(video.mid).toBe('1');
    expect(video.codecs).toEqual([
      {
        mimeType: 'video/H264',
        payloadType: 108,
        clockRate: 90000,
        parameters: { 'level-asymmetry-allowed': 1, 'packetization-mode': 1, 'profile-level-id': '42e01f' },
        rtcpFeedback: [
          { type: 'goog-remb' },
          { type: 'transport-cc' },
          { type: 'ccm', parameter: 'fir' },
          { type: 'nack' },
          { type: 'nack', parameter: 'pli' },
        ],
      },
      {
        mimeType: 'video/rtx',
        payloadType: 109,
        clockRate: 90000,
        parameters: { apt: 108 },
        rtcpFeedback: [],
      },
    ]);
    const [fidMedia, fidRtx] = offer.media[1].ssrcGroups[0].ssrcs;
    expect(video.encodings).toEqual([{ ssrc: fidMedia, rtx: { ssrc: fidRtx } }]);
    expect(video.headerExtensions?.map((e) => [e.id, e.uri])).toEqual([
      [14, 'urn:ietf:params:rtp-hdrext:toffset'],
      [2, 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'],
      [3, 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'],
      [5, 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'],
      [4, 'urn:ietf:params:rtp-hdrext:sdes:mid'],
      [10, 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'],
      [11, 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'],
    ]);
    expect(video.rtcp).toEqual({ cname: offer.media[1].ssrcs[0].cname, reducedSize: true });
    expect(video.msid).toBe(`${offer.media[1].msid?.streamId} ${offer.media[1].msid?.trackId}`);

    const audio = byKind(specs, 'audio').rtpParameters;
    expect(audio.codecs).toEqual([
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [{ type: 'transport-cc' }],
      },
    ]);
    expect(audio.encodings).toEqual([{ ssrc: offer.media[0].ssrcs[0].ssrc }]);
    expect(audio.headerExtensions?.map((e) => e.uri)).toEqual([
      'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'urn:ietf:params:rtp-hdrext:sdes:mid',
    ]);
  });

  it('makes the codec preference a parameter (VP8 first picks VP8 with its RTX)', () => {
    const specs = offerToProducerParameters(parseOffer(fixture('chromium-publisher.sdp')), router, {
      videoCodecPreference: ['video/VP8', 'video/H264'],
    });
    expect(byKind(specs, 'video').rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([
      ['video/VP8', 96],
      ['video/rtx', 97],
    ]);
  });

  it('yields 3 rid encodings, lowest first, for a Chromium simulcast offer and echoes the rids', () => {
    const specs = offerToProducerParameters(parseOffer(fixture('chromium-simulcast.sdp')), router);
    const video = byKind(specs, 'video');
    expect(video.rtpParameters.encodings).toEqual([{ rid: 'q' }, { rid: 'h' }, { rid: 'f' }]);
    expect(video.rtpParameters.encodings.some((e) => 'scalabilityMode' in e)).toBe(false);
    expect(video.rtpParameters.codecs.map((c) => c.mimeType)).toEqual(['video/H264', 'video/rtx']);
    expect(video.answer.recvRids).toEqual(['q', 'h', 'f']);
    // The AV1 dependency descriptor the simulcast offer carries is understood by mediasoup.
    expect(video.rtpParameters.headerExtensions?.map((e) => e.id)).toContain(12);
  });

  it('keeps at most 3 layers and orders them by their a=rid size restrictions', () => {
    const sdp = videoOffer(
      '96 97',
      ['a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96'],
      [
        'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
        'a=rid:hi send max-width=1280;max-height=720',
        'a=rid:lo send max-width=320;max-height=180',
        'a=rid:mid send max-width=640;max-height=360',
        'a=rid:xtra send max-width=160;max-height=90',
        'a=simulcast:send hi;lo;mid;xtra',
      ],
    );
    const [video] = offerToProducerParameters(parseOffer(sdp), router);
    expect(video.rtpParameters.encodings).toEqual([{ rid: 'lo' }, { rid: 'mid' }, { rid: 'hi' }]);
    expect(video.answer.recvRids).toEqual(['hi', 'lo', 'mid']);
  });

  it('falls back to one stream when simulcast is offered without the rid header extension', () => {
    const sdp = videoOffer(
      '96',
      ['a=rtpmap:96 VP8/90000'],
      ['a=ssrc:1111 cname:pub', 'a=rid:a send', 'a=rid:b send', 'a=simulcast:send a;b'],
    );
    const [video] = offerToProducerParameters(parseOffer(sdp), router);
    expect(video.rtpParameters.encodings).toEqual([{ ssrc: 1111 }]);
    expect(video.answer.recvRids).toBeUndefined();
  });

  it('negotiates a Node WebRTC (libwebrtc) publisher: VP8 + RTX paired by FID', () => {
    const offer = parseOffer(fixture('wrtc-publisher.sdp'));
    const video = byKind(offerToProducerParameters(offer, router), 'video').rtpParameters;
    expect(video.codecs.map((c) => [c.mimeType, c.payloadType, c.parameters])).toEqual([
      ['video/VP8', 96, {}],
      ['video/rtx', 97, { apt: 96 }],
    ]);
    const [media, rtx] = offer.media[1].ssrcGroups[0].ssrcs;
    expect(video.encodings).toEqual([{ ssrc: media, rtx: { ssrc: rtx } }]);
  });

  it('negotiates an OBS (libdatachannel) offer: H.264 without RTX, feedback limited to what was negotiated', () => {
    const specs = offerToProducerParameters(parseOffer(fixture('obs-whip.sdp')), router);
    const video = byKind(specs, 'video').rtpParameters;
    expect(video.codecs).toEqual([
      {
        mimeType: 'video/H264',
        payloadType: 96,
        clockRate: 90000,
        parameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1, 'level-asymmetry-allowed': 1 },
        // goog-remb needs abs-send-time, which OBS does not offer.
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
    ]);
    expect(video.encodings).toEqual([{ ssrc: 3148290412 }]);
    expect(video.headerExtensions).toEqual([]);
    expect(video.rtcp).toEqual({ cname: 'Qm7TzK2pX9vLc4Wd', reducedSize: false });
    expect(video.msid).toBe('Hn3sR8yVb1EoJ6Ua Hn3sR8yVb1EoJ6Ua-video');
    const audio = byKind(specs, 'audio').rtpParameters;
    expect(audio.codecs[0]).toMatchObject({
      mimeType: 'audio/opus',
      payloadType: 111,
      parameters: { stereo: 1, 'sprop-stereo': 1 },
    });
  });

  it('matches an H.264 High 3.1 offer to the router High 5.0 entry and answers with the router level', () => {
    const sdp = videoOffer('102', [
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f',
    ]);
    const [video] = offerToProducerParameters(parseOffer(sdp), router);
    expect(video.rtpParameters.codecs[0]).toMatchObject({
      mimeType: 'video/H264',
      payloadType: 102,
      parameters: { 'profile-level-id': '64001f' },
    });
    expect(video.answer.codecs[0].parameters?.['profile-level-id']).toBe('640032');
  });

  it('refuses packetization-mode=0-only H.264, naming what was offered', () => {
    const sdp = videoOffer('102 104', [
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 packetization-mode=0;profile-level-id=42e01f',
      'a=rtpmap:104 H264/90000',
      'a=fmtp:104 profile-level-id=64001f',
    ]);
    const error = errorOf(() => offerToProducerParameters(parseOffer(sdp), router));
    expect(error.code).toBe('unsupported_codec');
    expect(sdpErrorHttpStatus(error)).toBe(406);
    expect(error.message).toContain('H264 (Constrained Baseline 3.1, packetization-mode=0)');
    expect(error.message).toContain('H264 (High 3.1, packetization-mode=0)');
    expect(error.message).toMatch(/accepts .*VP8/);
  });

  it('refuses an H.265-only offer with unsupported_codec naming H265', () => {
    const sdp = videoOffer('49 50', ['a=rtpmap:49 H265/90000', 'a=rtpmap:50 rtx/90000', 'a=fmtp:50 apt=49']);
    const error = errorOf(() => offerToProducerParameters(parseOffer(sdp), router));
    expect(error.code).toBe('unsupported_codec');
    expect(error.message).toMatch(/offers H265;/);
  });

  it('rejects only the m-line it cannot use and reports it', () => {
    const sdp = fixture('obs-whip.sdp').replace('a=rtpmap:96 H264/90000', 'a=rtpmap:96 H265/90000');
    const rejected: Array<[OfferedMedia['mid'], string]> = [];
    const specs = offerToProducerParameters(parseOffer(sdp), router, {
      onRejected: (m, e) => rejected.push([m.mid, e.code]),
    });
    expect(specs.map((s) => s.kind)).toEqual(['audio']);
    expect(rejected).toEqual([['1', 'unsupported_codec']]);
    expect(Object.keys(acceptedFromProducers(specs))).toEqual(['0']);
  });

  it('refuses a viewer (recvonly) offer as wrong_direction', () => {
    expect(
      errorOf(() => offerToProducerParameters(parseOffer(fixture('chromium-viewer.sdp')), router)).code,
    ).toBe('wrong_direction');
  });

  it('uses one generated CNAME for every m-line when the offer has none', () => {
    const sdp = fixture('obs-whip.sdp').replace(/a=ssrc:\d+ cname:\S+\r\n/g, '');
    const specs = offerToProducerParameters(parseOffer(sdp), router, {
      generateCname: () => 'generated-cname',
    });
    expect(specs.map((s) => s.rtpParameters.rtcp?.cname)).toEqual(['generated-cname', 'generated-cname']);
  });

  it('produces one mid-matched encoding for an offer without SSRCs or rids', () => {
    const sdp = videoOffer(
      '96',
      ['a=rtpmap:96 VP8/90000', 'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid'],
      [],
    );
    const [video] = offerToProducerParameters(parseOffer(sdp), router, { generateCname: () => 'c' });
    expect(video.rtpParameters.encodings).toEqual([{}]);
    expect(video.rtpParameters.mid).toBe('0');
  });
});
