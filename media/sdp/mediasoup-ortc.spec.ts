/**
 * Cross-check against mediasoup's own negotiation code (mediasoup/ortc: the
 * functions Worker.createRouter, Transport.produce and Transport.consume
 * call; pure JavaScript, no worker process). Runs when mediasoup can be
 * resolved from the project or from $MEDIASOUP_DIR (a scratch install:
 * `npm i --ignore-scripts mediasoup@3.27.1`); skipped otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as sdpTransform from 'sdp-transform';
import { createAnswer } from './answer';
import { DEFAULT_MEDIA_CODECS, routerCapabilitiesFromCodecs } from './codecs';
import { consumerToAnswerMedia, mediaCodecsForViewer, offerToRtpCapabilities } from './consumer';
import { SdpError } from './errors';
import { chromiumViewerWithRouterPlayoutDelay, fixture } from './fixtures';
import type { MediaKind, RouterRtpCodecCapability, RtpCapabilities, RtpParameters } from './mediasoup-types';
import { parseOffer, type ParsedOffer } from './parse';
import { offerToProducerParameters } from './producer';

interface Ortc {
  generateRouterRtpCapabilities(mediaCodecs: RouterRtpCodecCapability[]): RtpCapabilities;
  validateAndNormalizeRtpParameters(params: RtpParameters): void;
  validateAndNormalizeRtpCapabilities(caps: RtpCapabilities): void;
  getProducerRtpParametersMapping(params: RtpParameters, caps: RtpCapabilities): unknown;
  getConsumableRtpParameters(
    kind: MediaKind,
    params: RtpParameters,
    caps: RtpCapabilities,
    mapping: unknown,
  ): RtpParameters;
  canConsume(consumable: RtpParameters, caps: RtpCapabilities): boolean;
  getConsumerRtpParameters(args: {
    consumableRtpParameters: RtpParameters;
    remoteRtpCapabilities: RtpCapabilities;
    pipe: boolean;
    enableRtx: boolean;
  }): RtpParameters;
}

function loadOrtc(): Ortc | undefined {
  const paths = [process.env.MEDIASOUP_DIR, process.cwd()].filter((p): p is string => Boolean(p));
  try {
    // A test-only optional dependency: mediasoup may not be installed, so it cannot be a static import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve('mediasoup/ortc', { paths })) as Ortc;
  } catch {
    return undefined;
  }
}

const ortc = loadOrtc();

/** The worker's C++ sources shipped in the mediasoup package, if present. */
function loadWorkerSource(): { dictionaries: string; producer: string } | undefined {
  const paths = [process.env.MEDIASOUP_DIR, process.cwd()].filter((p): p is string => Boolean(p));
  try {
    // The package's "exports" hide package.json: walk up from its entry point.
    let dir = dirname(require.resolve('mediasoup', { paths }));
    while (!existsSync(join(dir, 'worker', 'include', 'RTC', 'RtpDictionaries.hpp'))) {
      if (dirname(dir) === dir) return undefined;
      dir = dirname(dir);
    }
    return {
      dictionaries: readFileSync(join(dir, 'worker', 'include', 'RTC', 'RtpDictionaries.hpp'), 'utf8'),
      producer: readFileSync(join(dir, 'worker', 'src', 'RTC', 'Producer.cpp'), 'utf8'),
    };
  } catch {
    return undefined;
  }
}
const workerSource = loadWorkerSource();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const transport = {
  iceParameters: { usernameFragment: 'u'.repeat(16), password: 'p'.repeat(32), iceLite: true },
  iceCandidates: [
    {
      foundation: 'udpcandidate',
      priority: 1076302079,
      address: '127.0.0.1',
      protocol: 'udp' as const,
      port: 40001,
      type: 'host' as const,
    },
  ],
  dtlsParameters: { fingerprints: [{ algorithm: 'sha-256' as const, value: 'AB:CD' }] },
};

/** Producer side of mediasoup: validate, map onto the router, derive the consumable parameters. */
function produce(
  o: Ortc,
  offer: ParsedOffer,
  router: RtpCapabilities,
): Array<{ kind: MediaKind; consumable: RtpParameters }> {
  return offerToProducerParameters(offer, router).map((spec) => {
    const params = clone(spec.rtpParameters);
    o.validateAndNormalizeRtpParameters(params);
    const mapping = o.getProducerRtpParametersMapping(params, router);
    return { kind: spec.kind, consumable: o.getConsumableRtpParameters(spec.kind, params, router, mapping) };
  });
}

/** Consumer side: what transport.consume({ rtpCapabilities, mid }) computes. */
function consume(
  o: Ortc,
  consumable: RtpParameters,
  caps: RtpCapabilities,
  kind: MediaKind,
  mid: string,
): RtpParameters | undefined {
  const remote = clone(caps);
  o.validateAndNormalizeRtpCapabilities(remote);
  if (!o.canConsume(consumable, clone(caps))) return undefined;
  return {
    ...o.getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: remote,
      pipe: false,
      enableRtx: kind === 'video',
    }),
    mid,
  };
}

(ortc ? describe : describe.skip)('against mediasoup ortc (set MEDIASOUP_DIR to run)', () => {
  const o = ortc as Ortc;
  const router = (): RtpCapabilities => o.generateRouterRtpCapabilities(clone([...DEFAULT_MEDIA_CODECS]));

  it('runs against the patched ortc (scripts/mediasoup/patches/node, applied by ensure-worker.sh)', () => {
    const source = readFileSync(
      require.resolve('mediasoup/ortc', { paths: [process.env.MEDIASOUP_DIR ?? process.cwd()] }),
      'utf8',
    );
    if (!source.includes('livecart patch')) {
      throw new Error(
        'mediasoup/node/lib/ortc.js is not patched: run bash scripts/mediasoup/ensure-worker.sh',
      );
    }
  });

  it('generates the same router capabilities as routerCapabilitiesFromCodecs', () => {
    expect(router()).toEqual(routerCapabilitiesFromCodecs(DEFAULT_MEDIA_CODECS));
  });

  it.each(['chromium-publisher.sdp', 'chromium-simulcast.sdp', 'wrtc-publisher.sdp', 'obs-whip.sdp'])(
    'accepts the producer parameters of %s',
    (name) => {
      const produced = produce(o, parseOffer(fixture(name)), router());
      expect(produced.map((p) => p.kind)).toEqual(['audio', 'video']);
    },
  );

  it.each([
    ['chromium-viewer.sdp', 'obs-whip.sdp', 'video/H264', 108, 109],
    ['chromium-viewer.sdp', 'chromium-simulcast.sdp', 'video/H264', 108, 109],
    ['chromium-viewer.sdp', 'wrtc-publisher.sdp', 'video/VP8', 96, 97],
    ['wrtc-viewer.sdp', 'wrtc-publisher.sdp', 'video/VP8', 96, 97],
  ])(
    'serves viewer %s from publisher %s in the viewer payload types, RTX included',
    (viewerName, publisherName, videoMime, videoPt, rtxPt) => {
      const routerCaps = router();
      const viewer = parseOffer(fixture(viewerName));
      const produced = produce(o, parseOffer(fixture(publisherName)), routerCaps);
      const accepted = Object.fromEntries(
        viewer.media.map((m) => {
          const producer = produced.find((p) => p.kind === m.kind);
          const caps = offerToRtpCapabilities(viewer, { mid: m.mid, routerRtpCapabilities: routerCaps });
          const params = producer && consume(o, producer.consumable, caps, producer.kind, m.mid);
          if (!producer || !params) throw new Error(`cannot consume ${m.kind}`);
          return [
            m.mid,
            consumerToAnswerMedia({
              offer: viewer,
              mid: m.mid,
              consumer: { kind: producer.kind, rtpParameters: params },
            }),
          ];
        }),
      );
      expect(accepted['1'].codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([
        [videoMime, videoPt],
        ['video/rtx', rtxPt],
      ]);
      expect(accepted['1'].send?.rtxSsrc).toBeDefined();
      expect(accepted['0'].codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([['audio/opus', 111]]);
      const answer = sdpTransform.parse(createAnswer({ offer: viewer, transport, accepted }));
      for (const [i, m] of answer.media.entries()) {
        const offered = viewer.media[i].codecs;
        for (const rtp of m.rtp) {
          expect(offered.find((c) => c.payloadType === rtp.payload)?.mimeType.toLowerCase()).toBe(
            `${m.type}/${rtp.codec}`.toLowerCase(),
          );
        }
        expect(m.direction).toBe('sendonly');
        expect(m.ssrcs?.length).toBeGreaterThan(0);
      }
    },
  );

  it("gives a Consumer's RTX the viewer's number for the same codec, not the router's", () => {
    const routerCaps = router();
    const viewer = parseOffer(fixture('chromium-viewer.sdp'));
    const [, video] = produce(o, parseOffer(fixture('wrtc-publisher.sdp')), routerCaps);
    // The router numbered VP8's RTX 100, which is VP9 for this viewer (unpatched ortc sent 100).
    expect(
      routerCaps.codecs?.find((c) => c.mimeType === 'video/rtx' && c.parameters?.['apt'] === 96),
    ).toEqual(expect.objectContaining({ preferredPayloadType: 100 }));
    const params = consume(o, video.consumable, offerToRtpCapabilities(viewer), 'video', '1');
    expect(params?.codecs.map((c) => [c.mimeType, c.payloadType, c.parameters?.['apt']])).toEqual([
      ['video/VP8', 96, undefined],
      ['video/rtx', 97, 96],
    ]);
    const answered = consumerToAnswerMedia({
      offer: viewer,
      mid: '1',
      consumer: { kind: 'video', rtpParameters: params as RtpParameters },
    });
    expect(answered.codecs.map((c) => c.payloadType)).toEqual([96, 97]);
  });

  it('refuses an answer whose payload type the viewer gave another codec', () => {
    const viewer = parseOffer(fixture('chromium-viewer.sdp'));
    const [, video] = produce(o, parseOffer(fixture('wrtc-publisher.sdp')), router());
    const params = consume(
      o,
      video.consumable,
      offerToRtpCapabilities(viewer),
      'video',
      '1',
    ) as RtpParameters;
    const vp9 = viewer.media[1].codecs.find((c) => c.mimeType === 'video/VP9')!.payloadType;
    const wrong = {
      ...params,
      codecs: params.codecs.map((c) => (c.mimeType === 'video/rtx' ? { ...c, payloadType: vp9 } : c)),
    };
    expect(() =>
      consumerToAnswerMedia({ offer: viewer, mid: '1', consumer: { kind: 'video', rtpParameters: wrong } }),
    ).toThrow(SdpError);
  });

  it("keeps one m-line's header extensions away from the other kind's consumer", () => {
    const routerCaps = router();
    // A viewer whose video m-line numbers playout-delay like the router (11); its audio m-line
    // does not offer playout-delay. The router has playout-delay for both kinds at 11.
    const viewer = parseOffer(chromiumViewerWithRouterPlayoutDelay());
    const [audio, video] = produce(o, parseOffer(fixture('wrtc-publisher.sdp')), routerCaps);
    const playoutDelay = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

    // mediasoup matches extensions by id and URI, not kind: capabilities of both m-lines
    // give the audio consumer playout-delay, which the audio m-line never offered.
    const both = offerToRtpCapabilities(viewer, { routerRtpCapabilities: routerCaps });
    const crossed = consume(o, audio.consumable, both, 'audio', '0') as RtpParameters;
    expect(crossed.headerExtensions?.map((e) => e.uri)).toContain(playoutDelay);
    expect(() =>
      consumerToAnswerMedia({ offer: viewer, mid: '0', consumer: { kind: 'audio', rtpParameters: crossed } }),
    ).toThrow(/playout-delay with id 11, which the viewer's m-line 0 did not offer/);

    // Per m-line, each consumer gets what its own m-line offered, with the viewer's ids
    // (scripts/mediasoup/patches/node: mediasoup as released keeps only ids equal to the router's).
    const ownMline = (consumable: RtpParameters, kind: MediaKind, mid: string) =>
      consume(
        o,
        consumable,
        offerToRtpCapabilities(viewer, { mid, routerRtpCapabilities: routerCaps }),
        kind,
        mid,
      ) as RtpParameters;
    const audioParams = ownMline(audio.consumable, 'audio', '0');
    const videoParams = ownMline(video.consumable, 'video', '1');
    const short = (p: RtpParameters) => p.headerExtensions?.map((e) => [e.id, e.uri.replace(/^.*[/:]/, '')]);
    expect(short(audioParams)).toEqual([
      [4, 'mid'],
      [2, 'abs-send-time'],
      [1, 'ssrc-audio-level'],
    ]);
    expect(short(videoParams)).toEqual([
      [4, 'mid'],
      [2, 'abs-send-time'],
      [3, 'draft-holmer-rmcat-transport-wide-cc-extensions-01'],
      [13, 'video-orientation'],
      [14, 'toffset'],
      [11, 'playout-delay'],
    ]);
    const answer = sdpTransform.parse(
      createAnswer({
        offer: viewer,
        transport,
        accepted: {
          '0': consumerToAnswerMedia({
            offer: viewer,
            mid: '0',
            consumer: { kind: 'audio', rtpParameters: audioParams },
          }),
          '1': consumerToAnswerMedia({
            offer: viewer,
            mid: '1',
            consumer: { kind: 'video', rtpParameters: videoParams },
          }),
        },
      }),
    );
    // The answer repeats each m-line's offered ids.
    for (const [i, m] of answer.media.entries()) {
      expect(m.ext?.length).toBeGreaterThan(0);
      for (const e of m.ext ?? []) {
        expect(viewer.media[i].headerExtensions).toContainEqual(
          expect.objectContaining({ id: e.value, uri: e.uri }),
        );
      }
    }
    expect(answer.media[0].ext?.map((e) => e.uri)).not.toContain(playoutDelay);
  });

  it('keeps transport-cc for a viewer whose ids differ, and the router ids for pipe consumers and router capabilities', () => {
    const routerCaps = router();
    const viewer = parseOffer(fixture('chromium-viewer.sdp'));
    const [, video] = produce(o, parseOffer(fixture('chromium-simulcast.sdp')), routerCaps);
    const caps = offerToRtpCapabilities(viewer, { mid: '1', routerRtpCapabilities: routerCaps });
    const params = consume(o, video.consumable, caps, 'video', '1') as RtpParameters;
    const twcc = params.headerExtensions?.find((e) => /transport-wide-cc/.test(e.uri));
    expect(twcc?.id).toBe(3);
    expect(params.codecs[0].rtcpFeedback).toContainEqual(expect.objectContaining({ type: 'transport-cc' }));
    // One layer out, described as the simulcast it came from (mediasoup picks the layer).
    expect(params.encodings?.[0].scalabilityMode).toMatch(/^L3T/);

    const ids = (p: RtpParameters) => p.headerExtensions?.map((e) => e.id);
    const remote = clone(routerCaps);
    o.validateAndNormalizeRtpCapabilities(remote);
    const pipe = o.getConsumerRtpParameters({
      consumableRtpParameters: video.consumable,
      remoteRtpCapabilities: remote,
      pipe: true,
      enableRtx: true,
    });
    expect(ids(pipe)).toEqual(video.consumable.headerExtensions?.map((e) => e.id));
    const withRouterIds = consume(o, video.consumable, routerCaps, 'video', '1') as RtpParameters;
    expect(ids(withRouterIds)).toEqual(video.consumable.headerExtensions?.map((e) => e.id));
  });

  it('accepts mediaCodecsForViewer() as router mediaCodecs', () => {
    for (const name of ['chromium-viewer.sdp', 'wrtc-viewer.sdp']) {
      const codecs = mediaCodecsForViewer(parseOffer(fixture(name)), DEFAULT_MEDIA_CODECS);
      expect(o.generateRouterRtpCapabilities(clone(codecs))).toEqual(routerCapabilitiesFromCodecs(codecs));
    }
  });

  // The router's ids are what Producer::MangleRtpPacket() writes into packets (the worker's
  // RtpHeaderExtensionUri::Type enum values), and the worker patch
  // (scripts/mediasoup/patches) rewrites each into the Consumer's id by that enum value.
  (workerSource ? it : it.skip)(
    'numbers header extensions as the worker writes them on the wire (worker sources)',
    () => {
      const src = workerSource as { dictionaries: string; producer: string };
      const block = /class RtpHeaderExtensionUri[\s\S]*?enum class Type : uint8_t\s*\{([\s\S]*?)\}/.exec(
        src.dictionaries,
      );
      expect(block).not.toBeNull();
      const wireIds = Object.fromEntries(
        [...(block as RegExpExecArray)[1].matchAll(/([A-Z_0-9]+)\s*=\s*(\d+)/g)].map((m) => [
          m[1],
          Number(m[2]),
        ]),
      );
      const names: Record<string, string> = {
        'urn:ietf:params:rtp-hdrext:sdes:mid': 'MID',
        'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id': 'RTP_STREAM_ID',
        'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id': 'REPAIRED_RTP_STREAM_ID',
        'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time': 'ABS_SEND_TIME',
        'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01': 'TRANSPORT_WIDE_CC_01',
        'urn:ietf:params:rtp-hdrext:ssrc-audio-level': 'SSRC_AUDIO_LEVEL',
        'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension':
          'DEPENDENCY_DESCRIPTOR',
        'urn:3gpp:video-orientation': 'VIDEO_ORIENTATION',
        'urn:ietf:params:rtp-hdrext:toffset': 'TIME_OFFSET',
        'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time': 'ABS_CAPTURE_TIME',
        'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay': 'PLAYOUT_DELAY',
        'urn:mediasoup:params:rtp-hdrext:packet-id': 'MEDIASOUP_PACKET_ID',
      };
      for (const ext of router().headerExtensions ?? []) {
        expect([ext.uri, ext.preferredId]).toEqual([ext.uri, wireIds[names[ext.uri]]]);
      }
      // Every video packet gets mid, abs-send-time and transport-wide-cc with those ids.
      for (const name of ['MID', 'ABS_SEND_TIME', 'TRANSPORT_WIDE_CC_01']) {
        expect(src.producer).toContain(
          `/*id*/ static_cast<uint8_t>(RTC::RtpHeaderExtensionUri::Type::${name})`,
        );
      }
    },
  );
});
