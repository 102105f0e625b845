/**
 * WHIP: from a publisher's offer to the RtpParameters of one mediasoup
 * Producer per m-line, and to the matching answer m-lines.
 */
import { randomBytes } from 'node:crypto';
import { codecName, codecsMatch, isRtx, routerRtxFor, SUPPORTED_HEADER_EXTENSION_URIS } from './codecs';
import { SdpError } from './errors';
import { answerProfileLevelId, describeH264 } from './h264';
import type {
  MediaKind,
  RtcpFeedback,
  RtpCapabilities,
  RtpCodecCapability,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpHeaderExtensionParameters,
  RtpHeaderExtensionUri,
  RtpParameters,
} from './mediasoup-types';
import { activeRtpMedia, type OfferedCodec, type OfferedMedia, type ParsedOffer } from './parse';

/** Default WHIP video preference: H.264 first because the LL-HLS workers can copy it without transcoding. */
export const DEFAULT_VIDEO_CODEC_PREFERENCE: readonly string[] = [
  'video/H264',
  'video/VP8',
  'video/VP9',
  'video/AV1',
];

/** Default WHIP audio preference. */
export const DEFAULT_AUDIO_CODEC_PREFERENCE: readonly string[] = ['audio/opus'];

export const RID_URI: RtpHeaderExtensionUri = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
/**
 * Coordination of video orientation (CVO). Never accepted from a publisher: a
 * phone camera's frames come sideways with a rotation tag, and a sender that
 * may not tag them rotates the pixels before encoding instead. The HLS
 * transcode (ffmpeg reads plain RTP) and every viewer then get an upright
 * picture, a portrait phone a portrait one.
 */
const CVO_URI: RtpHeaderExtensionUri = 'urn:3gpp:video-orientation';

/** Payload formats that ride along with a media codec and are never chosen as "the" codec. */
export const AUXILIARY = /^(rtx|red|ulpfec|flexfec(-03)?|cn|telephone-event)$/i;

/**
 * How one accepted m-line appears in the answer: the codecs and header
 * extensions actually used (with the payload types / ids that go on the
 * wire), the answer direction and, depending on the side, what the server
 * receives (simulcast rids) or sends (its SSRCs).
 */
export interface AcceptedMedia {
  kind: MediaKind;
  /** 'recvonly' for a WHIP publisher's m-line, 'sendonly' for a WHEP viewer's. */
  direction: 'recvonly' | 'sendonly';
  /** Media codec first, then its RTX; payload types as in the RTP packets. */
  codecs: RtpCodecParameters[];
  headerExtensions: RtpHeaderExtensionParameters[];
  /** WHIP simulcast: the rids the server receives, echoed as a=rid:<id> recv + a=simulcast:recv (RFC 8853). */
  recvRids?: string[];
  /** WHEP: the stream the server sends (a=ssrc, a=ssrc-group:FID, a=msid). */
  send?: {
    ssrc: number;
    rtxSsrc?: number;
    cname: string;
    streamId: string;
    trackId: string;
  };
}

/** One Producer to create with `transport.produce({ kind, rtpParameters })`. */
export interface ProducerSpec {
  mid: string;
  kind: MediaKind;
  rtpParameters: RtpParameters & { mid: string; encodings: RtpEncodingParameters[] };
  /** The m-line of the answer that goes with it; see {@link acceptedFromProducers}. */
  answer: AcceptedMedia;
}

/** Tuning of {@link offerToProducerParameters}. */
export interface ProducerOptions {
  /** Video mime types, most wanted first. Router-supported codecs not listed come after, in offer order. */
  videoCodecPreference?: readonly string[];
  /** Audio mime types, most wanted first. */
  audioCodecPreference?: readonly string[];
  /** Simulcast layers kept, 1 to 3 (the rest are left out of the answer). Default 3. */
  maxSimulcastLayers?: number;
  /** CNAME used when the offer has no a=ssrc cname. Default: 16 random base64url characters. */
  generateCname?: () => string;
  /** Called for each m-line that is left out of the answer (port 0) and why. */
  onRejected?: (media: OfferedMedia, reason: SdpError) => void;
}

function sameFeedback(a: RtcpFeedback, b: RtcpFeedback): boolean {
  return a.type === b.type && (a.parameter ?? '') === (b.parameter ?? '');
}

/** Human description of an offered codec, for 'unsupported_codec' messages. */
export function describeCodec(codec: {
  mimeType: string;
  parameters?: Readonly<Record<string, unknown>>;
}): string {
  return codec.mimeType.toLowerCase() === 'video/h264'
    ? describeH264(codec.parameters)
    : codecName(codec.mimeType);
}

function uniqueDescriptions(
  codecs: ReadonlyArray<{ mimeType: string; parameters?: Readonly<Record<string, unknown>> }>,
): string {
  const list = [...new Set(codecs.map(describeCodec))];
  return list.length > 0 ? list.join(', ') : 'no codec';
}

function rank(mimeType: string, preference: readonly string[]): number {
  const i = preference.findIndex((p) => p.toLowerCase() === mimeType.toLowerCase());
  return i === -1 ? preference.length : i;
}

/** Offered primary codecs of an m-line, each with the router entry it strictly matches. */
function matchOfferedCodecs(
  media: OfferedMedia & { kind: MediaKind },
  caps: RtpCapabilities,
): Array<{ offered: OfferedCodec; cap: RtpCodecCapability }> {
  const out: Array<{ offered: OfferedCodec; cap: RtpCodecCapability }> = [];
  for (const offered of media.codecs) {
    if (AUXILIARY.test(codecName(offered.mimeType))) continue;
    const cap = (caps.codecs ?? []).find(
      (c) => c.kind === media.kind && !isRtx(c) && codecsMatch(offered, c, true),
    );
    if (cap) out.push({ offered, cap });
  }
  return out;
}

function unsupported(media: OfferedMedia & { kind: MediaKind }, caps: RtpCapabilities): SdpError {
  const offered = media.codecs.filter((c) => !AUXILIARY.test(codecName(c.mimeType)));
  const accepted = (caps.codecs ?? []).filter((c) => c.kind === media.kind && !isRtx(c));
  return new SdpError(
    'unsupported_codec',
    `${media.kind} m-line ${media.mid} offers ${uniqueDescriptions(offered)}; this server accepts ${uniqueDescriptions(accepted)}`,
  );
}

function acceptedExtensions(
  media: OfferedMedia & { kind: MediaKind },
  caps: RtpCapabilities,
): RtpHeaderExtensionParameters[] {
  const out: RtpHeaderExtensionParameters[] = [];
  for (const ext of media.headerExtensions) {
    if (ext.encrypted || ext.uri === CVO_URI || !SUPPORTED_HEADER_EXTENSION_URIS.has(ext.uri)) continue;
    const cap = (caps.headerExtensions ?? []).find(
      (h) =>
        h.kind === media.kind &&
        h.uri === ext.uri &&
        (h.direction === undefined || h.direction === 'sendrecv' || h.direction === 'recvonly'),
    );
    if (!cap || out.some((o) => o.uri === cap.uri)) continue;
    out.push({ uri: cap.uri, id: ext.id, encrypt: false, parameters: {} });
  }
  return out;
}

function reduceFeedback(
  offered: readonly RtcpFeedback[],
  cap: RtpCodecCapability,
  exts: readonly RtpHeaderExtensionParameters[],
): RtcpFeedback[] {
  const hasTwcc = exts.some((e) => e.uri === TWCC_URI);
  const hasAbsSendTime = exts.some((e) => e.uri === ABS_SEND_TIME_URI);
  const out: RtcpFeedback[] = [];
  for (const fb of offered) {
    if (!(cap.rtcpFeedback ?? []).some((c) => sameFeedback(c, fb))) continue;
    if (fb.type === 'transport-cc' && !hasTwcc) continue;
    if (fb.type === 'goog-remb' && !hasAbsSendTime) continue;
    if (out.some((o) => sameFeedback(o, fb))) continue;
    out.push(fb.parameter ? { type: fb.type, parameter: fb.parameter } : { type: fb.type });
  }
  return out;
}

/** A simulcast layer's size hint from its a=rid restrictions, if it has one. */
function ridWeight(restrictions: Readonly<Record<string, string | number>>): number | undefined {
  const w = Number(restrictions['max-width']);
  const h = Number(restrictions['max-height']);
  if (w > 0 && h > 0) return w * h;
  if (h > 0) return h;
  if (w > 0) return w;
  const br = Number(restrictions['max-br']);
  return br > 0 ? br : undefined;
}

function simulcastRids(
  media: OfferedMedia,
  payloadType: number,
  maxLayers: number,
): { ordered: string[]; lowToHigh: string[] } | undefined {
  const send = media.simulcast?.send;
  if (!send || send.length === 0) return undefined;
  const declared = new Map(media.rids.filter((r) => r.direction === 'send').map((r) => [r.id, r]));
  const ordered: string[] = [];
  for (const stream of send) {
    const rid = stream
      .map((alt) => alt.rid)
      .find((id) => {
        const r = declared.get(id);
        return (
          r !== undefined &&
          (!r.payloadTypes || r.payloadTypes.length === 0 || r.payloadTypes.includes(payloadType))
        );
      });
    if (rid !== undefined && !ordered.includes(rid)) ordered.push(rid);
    if (ordered.length >= maxLayers) break;
  }
  if (ordered.length === 0) return undefined;
  // mediasoup takes encodings lowest resolution first. Sort only when every layer says how big it is.
  const weighted = ordered.map((id) => ({ id, w: ridWeight(declared.get(id)?.restrictions ?? {}) }));
  const lowToHigh = weighted.every((x) => x.w !== undefined)
    ? [...weighted].sort((a, b) => (a.w ?? 0) - (b.w ?? 0)).map((x) => x.id)
    : [...ordered];
  return { ordered, lowToHigh };
}

function ssrcEncodings(media: OfferedMedia, withRtx: boolean): RtpEncodingParameters[] {
  const fid = media.ssrcGroups.filter((g) => g.semantics.toUpperCase() === 'FID' && g.ssrcs.length >= 2);
  const rtxOf = (ssrc: number): number | undefined => fid.find((g) => g.ssrcs[0] === ssrc)?.ssrcs[1];
  const repairSsrcs = new Set(fid.map((g) => g.ssrcs[1]));
  const sim = media.ssrcGroups.find((g) => g.semantics.toUpperCase() === 'SIM' && g.ssrcs.length > 0);
  const primaries = sim
    ? sim.ssrcs
    : media.ssrcs
        .map((s) => s.ssrc)
        .filter((s) => !repairSsrcs.has(s))
        .slice(0, 1);
  return primaries.map((ssrc) => {
    const rtx = withRtx ? rtxOf(ssrc) : undefined;
    return rtx !== undefined ? { ssrc, rtx: { ssrc: rtx } } : { ssrc };
  });
}

function defaultCname(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * WHIP: the Producer RtpParameters for each sendonly/sendrecv audio/video
 * m-line of a publisher's offer, for a router with `routerRtpCapabilities`.
 *
 * Per m-line: the best codec the router takes (strict mediasoup matching:
 * H.264 packetization-mode and profile, VP9 profile-id) by `options`
 * preference then offer order, with its RTX; the offered header extensions
 * the router understands (offer ids); codec feedback reduced to what both
 * sides do; encodings from a=simulcast/a=rid (at most 3 layers, lowest
 * first, no scalabilityMode), else from SSRCs (FID pairs give RTX, SIM groups
 * give legacy simulcast), else one encoding matched by mid; rtcp cname from
 * a=ssrc cname or generated (one per offer, so audio and video share it);
 * mid and msid from the offer.
 *
 * M-lines that cannot be used are left out (reported through
 * `options.onRejected`) and get port 0 in the answer. Throws SdpError
 * 'wrong_direction' when the offer sends nothing, 'unsupported_codec' (naming
 * what was offered and what is accepted) when no m-line has a usable codec.
 */
export function offerToProducerParameters(
  offer: ParsedOffer,
  routerRtpCapabilities: RtpCapabilities,
  options: ProducerOptions = {},
): ProducerSpec[] {
  const videoPref = options.videoCodecPreference ?? DEFAULT_VIDEO_CODEC_PREFERENCE;
  const audioPref = options.audioCodecPreference ?? DEFAULT_AUDIO_CODEC_PREFERENCE;
  const maxLayers = Math.max(1, Math.min(options.maxSimulcastLayers ?? 3, 3));
  const sending = activeRtpMedia(offer).filter(
    (m) => m.direction === 'sendonly' || m.direction === 'sendrecv',
  );
  for (const m of activeRtpMedia(offer)) {
    if (!sending.includes(m)) {
      options.onRejected?.(
        m,
        new SdpError(
          'wrong_direction',
          `${m.kind} m-line ${m.mid} is ${m.direction}; a WHIP publisher must send`,
        ),
      );
    }
  }
  if (sending.length === 0) {
    throw new SdpError(
      'wrong_direction',
      'the offer sends no audio or video (every m-line is recvonly or inactive); a WHIP publisher must offer sendonly',
    );
  }

  const offerCname = offer.media.flatMap((m) => m.ssrcs).find((s) => s.cname)?.cname;
  const cname = offerCname ?? (options.generateCname ?? defaultCname)();

  const specs: ProducerSpec[] = [];
  const errors: SdpError[] = [];
  for (const media of sending) {
    const preference = media.kind === 'video' ? videoPref : audioPref;
    const candidates = matchOfferedCodecs(media, routerRtpCapabilities)
      .map((c, order) => ({ ...c, order, rank: rank(c.cap.mimeType, preference) }))
      .sort((a, b) => a.rank - b.rank || a.order - b.order);
    const chosen = candidates[0];
    if (!chosen) {
      const error = unsupported(media, routerRtpCapabilities);
      errors.push(error);
      options.onRejected?.(media, error);
      continue;
    }

    const headerExtensions = acceptedExtensions(media, routerRtpCapabilities);
    const { offered, cap } = chosen;
    const mediaCodec: RtpCodecParameters = {
      mimeType: cap.mimeType,
      payloadType: offered.payloadType,
      clockRate: offered.clockRate,
      ...(media.kind === 'audio' ? { channels: offered.channels ?? 1 } : {}),
      parameters: { ...offered.parameters },
      rtcpFeedback: reduceFeedback(offered.rtcpFeedback, cap, headerExtensions),
    };
    const offeredRtx = media.codecs.find(
      (c) => isRtx(c) && Number(c.parameters['apt']) === offered.payloadType,
    );
    const capRtx = routerRtxFor(routerRtpCapabilities, cap.preferredPayloadType);
    const rtxCodec: RtpCodecParameters | undefined =
      offeredRtx && capRtx
        ? {
            mimeType: `${media.kind}/rtx`,
            payloadType: offeredRtx.payloadType,
            clockRate: offeredRtx.clockRate,
            parameters: { apt: offered.payloadType },
            rtcpFeedback: [],
          }
        : undefined;
    const codecs = rtxCodec ? [mediaCodec, rtxCodec] : [mediaCodec];

    const hasRidExt = headerExtensions.some((e) => e.uri === RID_URI);
    const rids = hasRidExt ? simulcastRids(media, offered.payloadType, maxLayers) : undefined;
    const encodings: RtpEncodingParameters[] = rids
      ? rids.lowToHigh.map((rid) => ({ rid }))
      : ssrcEncodings(media, rtxCodec !== undefined);
    if (encodings.length === 0) encodings.push({});

    const ownCname = media.ssrcs.find((s) => s.cname)?.cname ?? cname;
    const rtpParameters: ProducerSpec['rtpParameters'] = {
      mid: media.mid,
      codecs,
      headerExtensions,
      encodings,
      rtcp: { cname: ownCname, reducedSize: media.rtcpRsize },
      ...(media.msid?.trackId ? { msid: `${media.msid.streamId} ${media.msid.trackId}` } : {}),
    };

    // The answer says what we receive: for H.264 our profile-level-id (RFC 6184 8.2.2).
    const answerCodec: RtpCodecParameters = { ...mediaCodec, parameters: { ...offered.parameters } };
    if (cap.mimeType.toLowerCase() === 'video/h264') {
      const pli = answerProfileLevelId(cap.parameters, offered.parameters);
      if (pli && answerCodec.parameters) answerCodec.parameters['profile-level-id'] = pli;
    }
    specs.push({
      mid: media.mid,
      kind: media.kind,
      rtpParameters,
      answer: {
        kind: media.kind,
        direction: 'recvonly',
        codecs: rtxCodec ? [answerCodec, rtxCodec] : [answerCodec],
        headerExtensions: headerExtensions.map((e) => ({ ...e })),
        ...(rids ? { recvRids: rids.ordered } : {}),
      },
    });
  }

  if (specs.length === 0) {
    throw new SdpError('unsupported_codec', errors.map((e) => e.message).join('; '));
  }
  return specs;
}

/** The `accepted` map of {@link createAnswer} for the producers of a WHIP offer. */
export function acceptedFromProducers(specs: readonly ProducerSpec[]): Record<string, AcceptedMedia> {
  return Object.fromEntries(specs.map((s) => [s.mid, s.answer]));
}
