/**
 * The router's codec table and codec matching, mirroring mediasoup 3.27's
 * ortc.ts (generateRouterRtpCapabilities, matchCodecs) so the SDP module can
 * compute exactly what mediasoup will accept without loading mediasoup.
 */
import { answerProfileLevelId, h264CodecsMatch } from './h264';
import type {
  MediaKind,
  RtcpFeedback,
  RtpCapabilities,
  RtpCodecCapability,
  RtpHeaderExtension,
  RouterRtpCodecCapability,
} from './mediasoup-types';

/**
 * The router `mediaCodecs` livecart uses (pass to `worker.createRouter`).
 *
 * Codecs: Opus; VP8; VP9 profiles 0 and 2; H.264 packetization-mode 1 in
 * Constrained Baseline 3.1, Main 3.1 and High 5.0 with level asymmetry
 * allowed (what OBS, hardware encoders and browsers send; HLS can copy it);
 * AV1 (in mediasoup 3.27's supportedRtpCapabilities).
 *
 * Why the explicit payload types: mediasoup 3.27 sends every consumer the
 * router's payload type numbers (versatica/mediasoup#1126), while a WHEP
 * viewer only decodes the numbers it put in its own offer (checked with
 * Chromium 156: media arriving with the answer's numbers instead was not
 * decoded). Using the numbers current libwebrtc (Chrome/Edge, Chromium 156)
 * offers — opus 111, VP8 96, VP9 98, H.264 108/116 — lets those viewers be
 * served by the main router. RTX numbers cannot be chosen (mediasoup
 * allocates them); a Consumer's RTX takes the viewer's number instead (the
 * patched ortc, see media/sdp/consumer.ts). The order keeps mediasoup's
 * dynamic RTX allocation (100, 101, ...) clear of the explicit numbers;
 * {@link routerCapabilitiesFromCodecs} checks that.
 */
export const DEFAULT_MEDIA_CODECS: readonly RouterRtpCodecCapability[] = Object.freeze([
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 96 },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    clockRate: 90000,
    preferredPayloadType: 98,
    parameters: { 'profile-id': 0 },
  },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    preferredPayloadType: 108,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    preferredPayloadType: 116,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '4d001f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '640032', 'level-asymmetry-allowed': 1 },
  },
  { kind: 'video', mimeType: 'video/AV1', clockRate: 90000, preferredPayloadType: 45 },
] satisfies RouterRtpCodecCapability[]);

const VIDEO_FB: RtcpFeedback[] = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb' },
  { type: 'transport-cc' },
];
const AUDIO_OPUS_FB: RtcpFeedback[] = [{ type: 'nack' }, { type: 'transport-cc' }];
const TCC: RtcpFeedback[] = [{ type: 'transport-cc' }];

/** mediasoup 3.27.1 node/lib/supportedRtpCapabilities.js, codecs. */
const SUPPORTED_CODECS: readonly RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, rtcpFeedback: AUDIO_OPUS_FB },
  {
    kind: 'audio',
    mimeType: 'audio/multiopus',
    clockRate: 48000,
    channels: 4,
    parameters: { channel_mapping: '0,1,2,3', num_streams: 2, coupled_streams: 2 },
    rtcpFeedback: AUDIO_OPUS_FB,
  },
  {
    kind: 'audio',
    mimeType: 'audio/multiopus',
    clockRate: 48000,
    channels: 6,
    parameters: { channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 },
    rtcpFeedback: AUDIO_OPUS_FB,
  },
  {
    kind: 'audio',
    mimeType: 'audio/multiopus',
    clockRate: 48000,
    channels: 8,
    parameters: { channel_mapping: '0,6,1,2,3,4,5,7', num_streams: 5, coupled_streams: 3 },
    rtcpFeedback: AUDIO_OPUS_FB,
  },
  { kind: 'audio', mimeType: 'audio/PCMU', preferredPayloadType: 0, clockRate: 8000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/PCMA', preferredPayloadType: 8, clockRate: 8000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/ISAC', clockRate: 32000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/ISAC', clockRate: 16000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/G722', preferredPayloadType: 9, clockRate: 8000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/iLBC', clockRate: 8000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/SILK', clockRate: 24000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/SILK', clockRate: 16000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/SILK', clockRate: 12000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/SILK', clockRate: 8000, rtcpFeedback: TCC },
  { kind: 'audio', mimeType: 'audio/CN', preferredPayloadType: 13, clockRate: 32000 },
  { kind: 'audio', mimeType: 'audio/CN', preferredPayloadType: 13, clockRate: 16000 },
  { kind: 'audio', mimeType: 'audio/CN', preferredPayloadType: 13, clockRate: 8000 },
  { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 48000 },
  { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 32000 },
  { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 16000 },
  { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 8000 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: VIDEO_FB },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, rtcpFeedback: VIDEO_FB },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'level-asymmetry-allowed': 1 },
    rtcpFeedback: VIDEO_FB,
  },
  { kind: 'video', mimeType: 'video/AV1', clockRate: 90000, parameters: {}, rtcpFeedback: VIDEO_FB },
];

type Direction = NonNullable<RtpHeaderExtension['direction']>;

/**
 * mediasoup 3.27.1 node/lib/supportedRtpCapabilities.js, headerExtensions:
 * each URI once with its preferredId and its direction for audio and for
 * video (absent: not offered for that kind). mediasoup lists the audio entry
 * of a URI before the video one, and so does {@link SUPPORTED_HEADER_EXTENSIONS}.
 */
const SUPPORTED_HEADER_EXTENSION_TABLE: readonly (readonly [
  RtpHeaderExtension['uri'],
  number,
  { audio?: Direction; video?: Direction },
])[] = [
  ['urn:ietf:params:rtp-hdrext:sdes:mid', 1, { audio: 'sendrecv', video: 'sendrecv' }],
  ['urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', 2, { video: 'recvonly' }],
  ['urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', 3, { video: 'recvonly' }],
  ['http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 4, { audio: 'sendrecv', video: 'sendrecv' }],
  [
    'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    5,
    { audio: 'recvonly', video: 'sendrecv' },
  ],
  ['urn:ietf:params:rtp-hdrext:ssrc-audio-level', 6, { audio: 'sendrecv' }],
  [
    'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
    7,
    { video: 'recvonly' },
  ],
  ['urn:3gpp:video-orientation', 8, { video: 'sendrecv' }],
  ['urn:ietf:params:rtp-hdrext:toffset', 9, { video: 'sendrecv' }],
  [
    'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
    10,
    { audio: 'sendrecv', video: 'sendrecv' },
  ],
  [
    'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    11,
    { audio: 'sendrecv', video: 'sendrecv' },
  ],
  ['urn:mediasoup:params:rtp-hdrext:packet-id', 12, { audio: 'sendrecv', video: 'sendrecv' }],
];

const SUPPORTED_HEADER_EXTENSIONS: readonly RtpHeaderExtension[] = SUPPORTED_HEADER_EXTENSION_TABLE.flatMap(
  ([uri, preferredId, directions]) =>
    (['audio', 'video'] as const).flatMap((kind) => {
      const direction = directions[kind];
      return direction ? [{ kind, uri, preferredId, preferredEncrypt: false, direction }] : [];
    }),
);

/** mediasoup's dynamic payload type pool, in the order it hands them out. */
const DYNAMIC_PAYLOAD_TYPES: readonly number[] = [
  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120,
  121, 122, 123, 124, 125, 126, 127, 96, 97, 98, 99,
];

/** Header extension URIs the mediasoup worker understands. */
export const SUPPORTED_HEADER_EXTENSION_URIS: ReadonlySet<string> = new Set(
  SUPPORTED_HEADER_EXTENSION_TABLE.map(([uri]) => uri),
);

/** True for RTX ("video/rtx") entries. */
export function isRtx(codec: { mimeType: string }): boolean {
  return /\/rtx$/i.test(codec.mimeType);
}

/** A codec shape that both capabilities and parameters satisfy. */
export interface CodecLike {
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: Readonly<Record<string, unknown>>;
}

function normalizedChannels(codec: CodecLike): number | undefined {
  return /^audio\//i.test(codec.mimeType) ? (codec.channels ?? 1) : undefined;
}

/**
 * mediasoup's matchCodecs(): same mime type, clock rate and channel count;
 * multiopus stream layout; and when `strict`, H.264 packetization-mode and
 * profile (see h264.ts) and VP9 profile-id. Producers and consumers are
 * matched strictly, router mediaCodecs loosely.
 */
export function codecsMatch(a: CodecLike, b: CodecLike, strict: boolean): boolean {
  const mime = a.mimeType.toLowerCase();
  if (mime !== b.mimeType.toLowerCase()) return false;
  if (a.clockRate !== b.clockRate) return false;
  if (normalizedChannels(a) !== normalizedChannels(b)) return false;
  const pa = a.parameters ?? {};
  const pb = b.parameters ?? {};
  switch (mime) {
    case 'audio/multiopus':
      return pa['num_streams'] === pb['num_streams'] && pa['coupled_streams'] === pb['coupled_streams'];
    case 'video/h264':
      if (!strict) return true;
      if (!h264CodecsMatch(pa, pb)) return false;
      try {
        answerProfileLevelId(pa, pb);
      } catch {
        return false;
      }
      return true;
    case 'video/vp9':
      return !strict || Number(pa['profile-id'] ?? 0) === Number(pb['profile-id'] ?? 0);
    default:
      return true;
  }
}

/**
 * What `router.rtpCapabilities` will be for the given mediaCodecs, computed
 * the way mediasoup 3.27's ortc.generateRouterRtpCapabilities() does
 * (same dynamic payload type order, RTX right after each video codec, same
 * errors). Pure, so tests and WHEP planning need no worker.
 */
export function routerCapabilitiesFromCodecs(
  mediaCodecs: readonly RouterRtpCodecCapability[],
): RtpCapabilities & { codecs: RtpCodecCapability[]; headerExtensions: RtpHeaderExtension[] } {
  const dynamic = [...DYNAMIC_PAYLOAD_TYPES];
  const codecs: RtpCodecCapability[] = [];
  for (const mediaCodec of mediaCodecs) {
    const kindMatch = /^(audio|video)\//i.exec(mediaCodec.mimeType);
    if (!kindMatch) throw new TypeError('invalid codec.mimeType');
    const kind = kindMatch[1].toLowerCase() as MediaKind;
    const wanted: CodecLike = {
      ...mediaCodec,
      channels: kind === 'audio' ? (mediaCodec.channels ?? 1) : undefined,
    };
    const supported = SUPPORTED_CODECS.find((s) => codecsMatch(wanted, s, false));
    if (!supported) throw new Error(`media codec not supported [mimeType:${mediaCodec.mimeType}]`);

    let preferredPayloadType: number;
    if (typeof mediaCodec.preferredPayloadType === 'number') {
      preferredPayloadType = mediaCodec.preferredPayloadType;
      const idx = dynamic.indexOf(preferredPayloadType);
      if (idx > -1) dynamic.splice(idx, 1);
    } else if (typeof supported.preferredPayloadType === 'number') {
      preferredPayloadType = supported.preferredPayloadType;
    } else {
      const pt = dynamic.shift();
      if (pt === undefined) throw new Error('cannot allocate more dynamic codec payload types');
      preferredPayloadType = pt;
    }
    if (codecs.some((c) => c.preferredPayloadType === preferredPayloadType)) {
      throw new TypeError('duplicated codec.preferredPayloadType');
    }
    const codec: RtpCodecCapability = {
      kind,
      mimeType: supported.mimeType,
      preferredPayloadType,
      clockRate: supported.clockRate,
      ...(kind === 'audio' ? { channels: supported.channels ?? 1 } : {}),
      parameters: { ...(supported.parameters ?? {}), ...(mediaCodec.parameters ?? {}) },
      rtcpFeedback: (supported.rtcpFeedback ?? []).map((fb) => ({
        type: fb.type,
        parameter: fb.parameter ?? '',
      })),
    };
    codecs.push(codec);
    if (kind === 'video') {
      const pt = dynamic.shift();
      if (pt === undefined) throw new Error('cannot allocate more dynamic codec payload types');
      codecs.push({
        kind,
        mimeType: `${kind}/rtx`,
        preferredPayloadType: pt,
        clockRate: codec.clockRate,
        parameters: { apt: codec.preferredPayloadType },
        rtcpFeedback: [],
      });
    }
  }
  const headerExtensions = SUPPORTED_HEADER_EXTENSIONS.map((e) => ({ ...e }));
  return { codecs, headerExtensions };
}

/** The router RTX entry for a media payload type, if the router has one. */
export function routerRtxFor(caps: RtpCapabilities, payloadType: number): RtpCodecCapability | undefined {
  return (caps.codecs ?? []).find((c) => isRtx(c) && Number(c.parameters?.['apt']) === payloadType);
}

/** "VP8", "H264 (...)" etc. — short codec names for messages. */
export function codecName(mimeType: string): string {
  return mimeType.replace(/^(audio|video)\//i, '');
}
