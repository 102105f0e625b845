/**
 * Cross-check against mediasoup's own negotiation code (mediasoup/ortc: the
 * functions Worker.createRouter, Transport.produce and Transport.consume
 * call; pure JavaScript, no worker process). Runs when mediasoup can be
 * resolved from the project or from $MEDIASOUP_DIR (a scratch install:
 * `npm i --ignore-scripts mediasoup@3.27.1`); skipped otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sdpTransform from 'sdp-transform';
import { createAnswer } from './answer';
import { DEFAULT_MEDIA_CODECS, routerCapabilitiesFromCodecs } from './codecs';
import { consumerToAnswerMedia, mediaCodecsForViewer, offerToRtpCapabilities } from './consumer';
import { SdpError } from './errors';
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
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** A fixture offer, CRLF-delimited whatever a checkout did to line ends. */
const fixture = (name: string): string =>
  readFileSync(join(__dirname, 'fixtures', name), 'utf8').replace(/\r?\n/g, '\r\n');
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
    ['chromium-viewer.sdp', 'obs-whip.sdp', 'video/H264', 108],
    ['chromium-viewer.sdp', 'chromium-simulcast.sdp', 'video/H264', 108],
    ['chromium-viewer.sdp', 'wrtc-publisher.sdp', 'video/VP8', 96],
    ['wrtc-viewer.sdp', 'wrtc-publisher.sdp', 'video/VP8', 96],
  ])(
    'serves viewer %s from publisher %s in the viewer payload types',
    (viewerName, publisherName, videoMime, videoPt) => {
      const routerCaps = router();
      const viewer = parseOffer(fixture(viewerName));
      const caps = offerToRtpCapabilities(viewer, { routerRtpCapabilities: routerCaps });
      const produced = produce(o, parseOffer(fixture(publisherName)), routerCaps);
      const accepted = Object.fromEntries(
        viewer.media.map((m) => {
          const producer = produced.find((p) => p.kind === m.kind);
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
      expect(accepted['1'].codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([[videoMime, videoPt]]);
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

  it('shows why the router capabilities matter: unfiltered viewer capabilities get router RTX numbers', () => {
    const routerCaps = router();
    const viewer = parseOffer(fixture('chromium-viewer.sdp'));
    const [, video] = produce(o, parseOffer(fixture('wrtc-publisher.sdp')), routerCaps);
    const params = consume(o, video.consumable, offerToRtpCapabilities(viewer), 'video', '1');
    expect(params?.codecs.map((c) => c.payloadType)).toEqual([96, 100]); // router RTX is 100; the viewer's 100 is VP9
    expect(() =>
      consumerToAnswerMedia({
        offer: viewer,
        mid: '1',
        consumer: { kind: 'video', rtpParameters: params as RtpParameters },
      }),
    ).toThrow(SdpError);
  });

  it('accepts mediaCodecsForViewer() as router mediaCodecs', () => {
    for (const name of ['chromium-viewer.sdp', 'wrtc-viewer.sdp']) {
      const codecs = mediaCodecsForViewer(parseOffer(fixture(name)), DEFAULT_MEDIA_CODECS);
      expect(o.generateRouterRtpCapabilities(clone(codecs))).toEqual(routerCapabilitiesFromCodecs(codecs));
    }
  });
});
