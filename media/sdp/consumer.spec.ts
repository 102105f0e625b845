import * as sdpTransform from 'sdp-transform';
import { createAnswer } from './answer';
import { DEFAULT_MEDIA_CODECS, routerCapabilitiesFromCodecs } from './codecs';
import {
  assignProducersToViewerMedia,
  consumerToAnswerMedia,
  mediaCodecsForViewer,
  offerToRtpCapabilities,
} from './consumer';
import { SdpError } from './errors';
import { chromiumViewerWithRouterPlayoutDelay, fixture, transport } from './fixtures';
import type { RtpParameters } from './mediasoup-types';
import { parseOffer } from './parse';

const router = routerCapabilitiesFromCodecs(DEFAULT_MEDIA_CODECS);

/**
 * What mediasoup 3.27's getConsumerRtpParameters() returns for an OBS H.264
 * producer consumed with the Chromium viewer's filtered capabilities
 * (mediasoup-ortc.spec.ts derives the same with mediasoup's own code).
 */
const videoConsumer: RtpParameters = {
  mid: '1',
  codecs: [
    {
      mimeType: 'video/H264',
      payloadType: 108,
      clockRate: 90000,
      parameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1, 'level-asymmetry-allowed': 1 },
      rtcpFeedback: [
        { type: 'ccm', parameter: 'fir' },
        { type: 'nack', parameter: '' },
        { type: 'nack', parameter: 'pli' },
      ],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: 561234567 }],
  rtcp: { cname: 'Qm7TzK2pX9vLc4Wd', reducedSize: true },
  msid: 'Hn3sR8yVb1EoJ6Ua Hn3sR8yVb1EoJ6Ua-video',
};
const audioConsumer: RtpParameters = {
  mid: '0',
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 111,
      clockRate: 48000,
      channels: 2,
      parameters: { minptime: 10, useinbandfec: 1 },
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: 561234999 }],
  rtcp: { cname: 'Qm7TzK2pX9vLc4Wd', reducedSize: true },
  msid: 'Hn3sR8yVb1EoJ6Ua Hn3sR8yVb1EoJ6Ua-audio',
};

describe('WHEP viewers', () => {
  describe('offerToRtpCapabilities', () => {
    it('returns the viewer capabilities with its own payload types and extension ids', () => {
      const caps = offerToRtpCapabilities(parseOffer(fixture('chromium-viewer.sdp')));
      expect(caps.codecs).toContainEqual(
        expect.objectContaining({
          kind: 'audio',
          mimeType: 'audio/opus',
          preferredPayloadType: 111,
          channels: 2,
        }),
      );
      expect(caps.codecs).toContainEqual(
        expect.objectContaining({
          kind: 'video',
          mimeType: 'video/rtx',
          preferredPayloadType: 97,
          parameters: { apt: 96 },
        }),
      );
      expect(caps.headerExtensions).toContainEqual({
        kind: 'video',
        uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
        preferredId: 4,
        preferredEncrypt: false,
        direction: 'sendrecv',
      });
    });

    it('keeps, for a given router, codecs the router sends with the same numbers and its extensions with the viewer ids', () => {
      const dropped: string[] = [];
      const caps = offerToRtpCapabilities(parseOffer(fixture('chromium-viewer.sdp')), {
        routerRtpCapabilities: router,
        onDropped: (r) => dropped.push(r),
      });
      expect(caps.codecs?.map((c) => [c.mimeType, c.preferredPayloadType])).toEqual([
        ['audio/opus', 111],
        ['video/VP8', 96],
        ['video/VP9', 98],
        ['video/H264', 108],
        ['video/H264', 116],
        ['video/AV1', 45],
        // The viewer's RTX of each kept codec, with its numbers (mediasoup numbered the router's
        // RTX 100/101/104/...; the patched ortc gives a Consumer the viewer's).
        ['video/rtx', 97],
        ['video/rtx', 99],
        ['video/rtx', 109],
        ['video/rtx', 117],
        ['video/rtx', 46],
      ]);
      expect(
        caps.codecs?.filter((c) => c.mimeType === 'video/rtx').map((c) => c.parameters?.['apt']),
      ).toEqual([96, 98, 108, 116, 45]);
      // Chromium's extension ids (mid 4, twcc 3, ...) are not mediasoup's (mid 1, twcc 5, ...): the
      // patched mediasoup sends the viewer's. Left out: what the router does not send (rid, rrid,
      // audio transport-wide-cc) or does not know (video-content-type, video-timing, color-space).
      expect(
        caps.headerExtensions?.map((e) => [e.kind, e.preferredId, e.uri.replace(/^.*[/:]/, '')]),
      ).toEqual([
        ['audio', 1, 'ssrc-audio-level'],
        ['audio', 2, 'abs-send-time'],
        ['audio', 4, 'mid'],
        ['video', 14, 'toffset'],
        ['video', 2, 'abs-send-time'],
        ['video', 13, 'video-orientation'],
        ['video', 3, 'draft-holmer-rmcat-transport-wide-cc-extensions-01'],
        ['video', 5, 'playout-delay'],
        ['video', 4, 'mid'],
      ]);
      expect(dropped.some((r) => /header extension/.test(r))).toBe(false);
      expect(dropped).toContainEqual(
        expect.stringMatching(/VP9 is payload type 100 for the viewer but 102 on the router/),
      );
    });

    it("keeps an extension one m-line offered out of the other m-line's capabilities", () => {
      // Video numbers playout-delay like the router (11, after moving rrid away); audio does not offer it.
      const offer = parseOffer(chromiumViewerWithRouterPlayoutDelay());
      const playoutDelay = {
        kind: 'video',
        uri: 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
        preferredId: 11,
        preferredEncrypt: false,
        direction: 'sendrecv',
      };
      const caps = (mid?: string) => offerToRtpCapabilities(offer, { mid, routerRtpCapabilities: router });
      const uris = (mid?: string) => caps(mid).headerExtensions?.map((e) => e.uri) ?? [];
      // mediasoup would match this for an audio consumer too (id + URI, not kind): consume per m-line.
      expect(caps().headerExtensions).toContainEqual(playoutDelay);
      expect(uris('0')).not.toContain(playoutDelay.uri);
      expect(uris('0').length).toBeGreaterThan(0);
      expect(caps('1').headerExtensions).toContainEqual(playoutDelay);
      expect(caps('1').headerExtensions?.every((e) => e.kind === 'video')).toBe(true);
    });

    it('limits the capabilities to one m-line on request and refuses a publisher offer', () => {
      const offer = parseOffer(fixture('chromium-viewer.sdp'));
      expect(offerToRtpCapabilities(offer, { mid: '0' }).codecs?.every((c) => c.kind === 'audio')).toBe(true);
      expect(() => offerToRtpCapabilities(parseOffer(fixture('obs-whip.sdp')))).toThrow(SdpError);
    });
  });

  it('pairs viewer m-lines with producers by kind in m-line order', () => {
    const offer = parseOffer(fixture('chromium-viewer.sdp'));
    const producers = [
      { id: 'v', kind: 'video' as const },
      { id: 'a', kind: 'audio' as const },
    ];
    expect(assignProducersToViewerMedia(offer, producers)).toEqual([
      { mid: '0', kind: 'audio', producer: producers[1] },
      { mid: '1', kind: 'video', producer: producers[0] },
    ]);
    expect(assignProducersToViewerMedia(offer, [producers[0]])).toEqual([
      { mid: '0', kind: 'audio' },
      { mid: '1', kind: 'video', producer: producers[0] },
    ]);
  });

  it("answers with sendonly, the consumer's SSRCs and the viewer's payload types", () => {
    const offer = parseOffer(fixture('chromium-viewer.sdp'));
    const accepted = {
      '0': consumerToAnswerMedia({
        offer,
        mid: '0',
        consumer: { kind: 'audio', rtpParameters: audioConsumer },
      }),
      '1': consumerToAnswerMedia({
        offer,
        mid: '1',
        consumer: { kind: 'video', rtpParameters: videoConsumer },
      }),
    };
    const answer = createAnswer({ offer, transport, accepted });
    expect(sdpTransform.write(sdpTransform.parse(answer))).toBe(answer);
    const parsed = sdpTransform.parse(answer);
    expect(parsed.icelite).toBe('ice-lite');
    expect(parsed.groups).toEqual([{ type: 'BUNDLE', mids: '0 1' }]);
    expect(parsed.msidSemantic).toEqual({ semantic: 'WMS', token: '*' });
    const [audio, video] = parsed.media;
    expect(video.direction).toBe('sendonly');
    expect(video.setup).toBe('passive');
    expect(video.payloads).toBe(108);
    expect(video.rtp).toEqual([{ payload: 108, codec: 'H264', rate: 90000 }]);
    // The viewer offered 108 as exactly this codec.
    expect(offer.media[1].codecs.find((c) => c.payloadType === 108)).toMatchObject({
      mimeType: 'video/H264',
      parameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1 },
    });
    expect(video.ssrcs).toEqual([
      { id: 561234567, attribute: 'cname', value: 'Qm7TzK2pX9vLc4Wd' },
      { id: 561234567, attribute: 'msid', value: 'Hn3sR8yVb1EoJ6Ua Hn3sR8yVb1EoJ6Ua-video' },
    ]);
    expect(answer).toContain('a=msid:Hn3sR8yVb1EoJ6Ua Hn3sR8yVb1EoJ6Ua-video\r\n');
    expect(video.ssrcGroups).toBeUndefined();
    expect(video.endOfCandidates).toBe('end-of-candidates');
    expect(audio).toMatchObject({ direction: 'sendonly', payloads: 111 });
    expect(audio.ssrcs?.[0]).toEqual({ id: 561234999, attribute: 'cname', value: 'Qm7TzK2pX9vLc4Wd' });
  });

  it('writes the RTX SSRC as an ssrc-group FID when the consumer has RTX', () => {
    const offer = parseOffer(fixture('chromium-viewer.sdp'));
    const withRtx: RtpParameters = {
      ...videoConsumer,
      codecs: [
        { ...videoConsumer.codecs[0], payloadType: 96, mimeType: 'video/VP8', parameters: {} },
        {
          mimeType: 'video/rtx',
          payloadType: 97,
          clockRate: 90000,
          parameters: { apt: 96 },
          rtcpFeedback: [],
        },
      ],
      encodings: [{ ssrc: 1000, rtx: { ssrc: 1001 } }],
    };
    const media = consumerToAnswerMedia({
      offer,
      mid: '1',
      consumer: { kind: 'video', rtpParameters: withRtx },
      msid: { streamId: 'live', trackId: 'cam' },
    });
    const video = sdpTransform.parse(createAnswer({ offer, transport, accepted: { '1': media } })).media[1];
    expect(video.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '1000 1001' }]);
    expect(video.ssrcs?.filter((s) => s.attribute === 'msid').map((s) => [s.id, s.value])).toEqual([
      [1000, 'live cam'],
      [1001, 'live cam'],
    ]);
    expect(video.fmtp).toEqual([{ payload: 97, config: 'apt=96' }]);
  });

  it('refuses a consumer whose payload types the viewer did not offer (router numbers)', () => {
    const offer = parseOffer(fixture('chromium-viewer.sdp'));
    const routerNumbers: RtpParameters = {
      ...videoConsumer,
      codecs: [
        { ...videoConsumer.codecs[0], mimeType: 'video/VP8', payloadType: 96, parameters: {} },
        {
          mimeType: 'video/rtx',
          payloadType: 100,
          clockRate: 90000,
          parameters: { apt: 96 },
          rtcpFeedback: [],
        },
      ],
    };
    let error: unknown;
    try {
      consumerToAnswerMedia({ offer, mid: '1', consumer: { kind: 'video', rtpParameters: routerNumbers } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SdpError);
    expect((error as SdpError).code).toBe('consumer_mismatch');
    expect((error as SdpError).message).toMatch(
      /rtx as payload type 100, which the viewer's m-line 1 offered for VP9/,
    );
    const badExt: RtpParameters = {
      ...videoConsumer,
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
    };
    expect(() =>
      consumerToAnswerMedia({ offer, mid: '1', consumer: { kind: 'video', rtpParameters: badExt } }),
    ).toThrow(/sdes:mid with id 1/);
    expect(() =>
      consumerToAnswerMedia({ offer, mid: '0', consumer: { kind: 'video', rtpParameters: videoConsumer } }),
    ).toThrow(/no video m-line with mid 0/);
  });

  it('never hands createRouter colliding numbers when a viewer uses consecutive ones', () => {
    const offer = parseOffer(fixture('chromium-viewer.sdp'));
    // Force VP8 to 101 and VP9 profile 0 to 100 in the viewer's numbering.
    for (const c of offer.media[1].codecs) {
      if (c.mimeType === 'video/VP8') c.payloadType = 101;
      else if (c.payloadType === 101) c.payloadType = 96;
      if (c.mimeType === 'video/VP9' && c.parameters['profile-id'] === 0) c.payloadType = 100;
      else if (c.payloadType === 100) c.payloadType = 98;
    }
    const codecs = mediaCodecsForViewer(offer, DEFAULT_MEDIA_CODECS);
    expect(() => routerCapabilitiesFromCodecs(codecs)).not.toThrow();
    expect(
      codecs.find((c) => c.mimeType === 'video/VP9' && c.parameters?.['profile-id'] === 0)
        ?.preferredPayloadType,
    ).toBe(100);
    // 101 went to VP9's RTX first, so VP8 keeps a router-chosen number and is not deliverable to this viewer.
    expect(codecs.find((c) => c.mimeType === 'video/VP8')?.preferredPayloadType).toBeUndefined();
  });

  it('derives router mediaCodecs numbered like a viewer whose numbers differ (Node libwebrtc)', () => {
    const offer = parseOffer(fixture('wrtc-viewer.sdp'));
    const codecs = mediaCodecsForViewer(offer, DEFAULT_MEDIA_CODECS);
    // wrtc's build has no H.264, its AV1 is 39; every codec keeps the viewer's number.
    expect(codecs.map((c) => [c.mimeType, c.preferredPayloadType])).toEqual([
      ['audio/opus', 111],
      ['video/VP9', 100],
      ['video/VP8', 96],
      ['video/VP9', 98],
      ['video/AV1', 39],
    ]);
    const viewerRouter = routerCapabilitiesFromCodecs(codecs);
    const caps = offerToRtpCapabilities(offer, { routerRtpCapabilities: viewerRouter });
    // Then the viewer's RTX of each (97 for 96, 99 for 98, 101 for 100, 40 for 39).
    expect(caps.codecs?.map((c) => c.preferredPayloadType)).toEqual([111, 96, 98, 100, 39, 97, 99, 101, 40]);
  });
});
