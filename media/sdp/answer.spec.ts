import * as sdpTransform from 'sdp-transform';
import { createAnswer } from './answer';
import { DEFAULT_MEDIA_CODECS, routerCapabilitiesFromCodecs } from './codecs';
import { SdpError } from './errors';
import { fixture, transport } from './fixtures';
import { parseOffer } from './parse';
import { acceptedFromProducers, offerToProducerParameters } from './producer';

const router = routerCapabilitiesFromCodecs(DEFAULT_MEDIA_CODECS);

function whipAnswer(
  name: string,
  sdp = fixture(name),
): { answer: string; parsed: sdpTransform.SessionDescription } {
  const offer = parseOffer(sdp);
  const specs = offerToProducerParameters(offer, router, { generateCname: () => 'cname' });
  const answer = createAnswer({
    offer,
    transport,
    accepted: acceptedFromProducers(specs),
    sessionId: '1234',
  });
  return { answer, parsed: sdpTransform.parse(answer) };
}

describe('createAnswer (WHIP)', () => {
  it('answers a Chromium publisher with ice-lite, BUNDLE, passive DTLS, every candidate and recvonly', () => {
    const { answer, parsed } = whipAnswer('chromium-publisher.sdp');
    expect(answer.endsWith('\r\n')).toBe(true);
    // Round trip: what sdp-transform reads back it writes out identically.
    expect(sdpTransform.write(sdpTransform.parse(answer))).toBe(answer);
    expect(parsed.icelite).toBe('ice-lite');
    expect(parsed.groups).toEqual([{ type: 'BUNDLE', mids: '0 1' }]);
    expect(parsed.origin).toMatchObject({ sessionId: 1234, sessionVersion: 1 });
    expect(parsed.extmapAllowMixed).toBe('extmap-allow-mixed');
    expect(parsed.msidSemantic).toBeUndefined();
    for (const m of parsed.media) {
      expect(m.port).toBe(40001);
      expect(m.connection).toEqual({ version: 4, ip: '127.0.0.1' });
      expect(m.setup).toBe('passive');
      expect(m.iceUfrag).toBe('qv1l3kz8c6u2wb0x');
      expect(m.icePwd).toBe('p4d0n5d2g9f7e1c3b8a6m0k2j4h6g8f0');
      expect(m.fingerprint).toEqual({
        type: 'sha-256',
        hash: transport.dtlsParameters.fingerprints[1].value,
      });
      expect(m.candidates).toEqual([
        {
          foundation: 'udpcandidate',
          component: 1,
          transport: 'udp',
          priority: 1076302079,
          ip: '127.0.0.1',
          port: 40001,
          type: 'host',
        },
        {
          foundation: 'tcpcandidate',
          component: 1,
          transport: 'tcp',
          priority: 1076276479,
          ip: '127.0.0.1',
          port: 40002,
          type: 'host',
          tcptype: 'passive',
        },
      ]);
      expect(m.endOfCandidates).toBe('end-of-candidates');
      expect(m.rtcpMux).toBe('rtcp-mux');
      expect(m.rtcpRsize).toBe('rtcp-rsize');
      expect(m.direction).toBe('recvonly');
      expect(m.ssrcs).toBeUndefined();
    }
    const [audio, video] = parsed.media;
    expect(audio.payloads).toBe(111);
    expect(audio.rtp).toEqual([{ payload: 111, codec: 'opus', rate: 48000, encoding: 2 }]);
    expect(video.payloads).toBe('108 109');
    expect(video.rtp).toEqual([
      { payload: 108, codec: 'H264', rate: 90000 },
      { payload: 109, codec: 'rtx', rate: 90000 },
    ]);
    expect(video.fmtp).toEqual([
      { payload: 108, config: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
      { payload: 109, config: 'apt=108' },
    ]);
    expect(video.rtcpFb).toContainEqual({ payload: 108, type: 'nack', subtype: 'pli' });
    expect(video.ext).toContainEqual({
      value: 3,
      uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    });
    expect(video.ext?.some((e) => e.uri.includes('video-content-type'))).toBe(false);
  });

  it('echoes simulcast rids as recv for a simulcast publisher', () => {
    const video = whipAnswer('chromium-simulcast.sdp').parsed.media[1];
    expect(video.rids).toEqual([
      { id: 'q', direction: 'recv' },
      { id: 'h', direction: 'recv' },
      { id: 'f', direction: 'recv' },
    ]);
    expect(video.simulcast).toEqual({ dir1: 'recv', list1: 'q;h;f' });
  });

  it('answers OBS without rtcp-rsize (not offered) and with the H.264 fmtp', () => {
    const { answer, parsed } = whipAnswer('obs-whip.sdp');
    expect(parsed.media.map((m) => m.rtcpRsize)).toEqual([undefined, undefined]);
    expect(parsed.media[1].fmtp).toEqual([
      { payload: 96, config: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1' },
    ]);
    expect(answer).toContain('a=rtcp-fb:96 nack pli\r\n');
    expect(answer).not.toContain('goog-remb');
    expect(parsed.media.every((m) => m.endOfCandidates === 'end-of-candidates')).toBe(true);
  });

  it('rejects an m-line it cannot take with port 0, out of the BUNDLE group', () => {
    const sdp = fixture('obs-whip.sdp').replace('a=rtpmap:96 H264/90000', 'a=rtpmap:96 H265/90000');
    const { parsed } = whipAnswer('obs-whip.sdp', sdp);
    expect(parsed.groups).toEqual([{ type: 'BUNDLE', mids: 0 }]);
    const video = parsed.media[1];
    expect(video).toMatchObject({
      type: 'video',
      port: 0,
      protocol: 'UDP/TLS/RTP/SAVPF',
      mid: 1,
      payloads: 96,
    });
    expect(video.candidates).toBeUndefined();
  });

  it('takes the DTLS client role when the client offered a=setup:passive', () => {
    const sdp = fixture('obs-whip.sdp').replace(/a=setup:actpass/g, 'a=setup:passive');
    expect(whipAnswer('obs-whip.sdp', sdp).parsed.media.map((m) => m.setup)).toEqual(['active', 'active']);
  });

  it('still ends candidates, on port 9, for a transport without candidates; uses IP6 for an IPv6 default', () => {
    const offer = parseOffer(fixture('obs-whip.sdp'));
    const accepted = acceptedFromProducers(offerToProducerParameters(offer, router));
    const none = sdpTransform.parse(
      createAnswer({ offer, transport: { ...transport, iceCandidates: [] }, accepted }),
    );
    expect(none.media[0]).toMatchObject({
      port: 9,
      connection: { version: 4, ip: '0.0.0.0' },
      endOfCandidates: 'end-of-candidates',
    });
    const v6 = sdpTransform.parse(
      createAnswer({
        offer,
        transport: {
          ...transport,
          iceCandidates: [
            { foundation: 'u', priority: 1, address: '::1', protocol: 'udp', port: 5000, type: 'host' },
          ],
        },
        accepted,
      }),
    );
    expect(v6.media[0]).toMatchObject({ port: 5000, connection: { version: 6, ip: '::1' } });
  });

  it('refuses accepted media that is not in the offer', () => {
    const offer = parseOffer(fixture('obs-whip.sdp'));
    const accepted = acceptedFromProducers(offerToProducerParameters(offer, router));
    const call = (a: typeof accepted) => () => createAnswer({ offer, transport, accepted: a });
    expect(call({})).toThrow(SdpError);
    expect(call({ '7': accepted['0'] })).toThrow(/mid 7/);
    expect(call({ '1': accepted['0'] })).toThrow(/audio m-line/);
  });
});
