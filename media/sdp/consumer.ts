/**
 * WHEP: from a viewer's recvonly offer to the RtpCapabilities mediasoup
 * consumes with, and from the resulting Consumers back to answer m-lines.
 *
 * The constraint that shapes this file: mediasoup 3.27 gives every Consumer
 * the router's payload types and header-extension ids
 * (versatica/mediasoup#1126), but a WHEP viewer made the offer, so it only
 * understands the numbers it offered (verified with Chromium 156: media sent
 * with the answer's numbers instead was received but never decoded). So the
 * capabilities handed to mediasoup only contain codecs whose payload types
 * are the same on both sides; mediasoup then cannot pick anything the viewer
 * would drop, and {@link consumerToAnswerMedia} checks it.
 *
 * Header extensions are the exception: with the patches in
 * scripts/mediasoup/patches (applied by ensure-worker.sh), a Consumer takes
 * the viewer's id for each extension URI (node/ patch of
 * ortc.getConsumerRtpParameters) and the worker writes the packets with those
 * ids (the router's ids are the worker's fixed ones, mid 1, abs-send-time 4,
 * transport-wide-cc 5, ssrc-audio-level 6, ..., which Producer::MangleRtpPacket
 * writes into every packet; the patched Transport rewrites them per Consumer
 * for the send and pads what the Consumer did not negotiate). So the
 * capabilities keep every extension the router can send, with the viewer's
 * id, and the answer repeats the offer's ids: a viewer gets sdes:mid,
 * abs-send-time and transport-wide-cc where it expects them, sends
 * transport-cc feedback, and mediasoup's downlink BWE (which picks simulcast
 * layers) runs for its transport. RTX likewise: the patched ortc gives a
 * Consumer's RTX codec the number the capabilities give the RTX of the same
 * media codec (the viewer's), so a viewer gets retransmissions on RTX and the
 * worker's probation padding, which goes out on a Consumer's RTX stream, is
 * counted in its feedback (mediasoup cannot number RTX per router: its RTX
 * numbers are allocated, never the viewer's). Remapping in the answer instead is not an
 * option: Chromium 156 refuses an answer that gives an offered id another URI
 * ("RTP extension ID reassignment not supported"), and libwebrtc M106
 * (@roamhq/wrtc) ignores the answer's ids. With an unpatched mediasoup, ortc
 * keeps only extensions whose ids agree, and the answer stays consistent
 * (it is written from the Consumer's rtpParameters).
 */
import {
  codecName,
  codecsMatch,
  isRtx,
  routerCapabilitiesFromCodecs,
  SUPPORTED_HEADER_EXTENSION_URIS,
} from './codecs';
import { SdpError } from './errors';
import type {
  MediaKind,
  RouterRtpCodecCapability,
  RtpCapabilities,
  RtpCodecCapability,
  RtpHeaderExtension,
  RtpParameters,
} from './mediasoup-types';
import { activeRtpMedia, type OfferedMedia, type ParsedOffer } from './parse';
import { AUXILIARY, type AcceptedMedia } from './producer';

/** Options of {@link offerToRtpCapabilities}. */
export interface ViewerCapabilitiesOptions {
  /**
   * `router.rtpCapabilities` of the router the consumers live on. When given
   * (do give it), only what that router can deliver byte-exact is kept: codecs
   * whose payload type equals the router's for the same codec, the viewer's
   * RTX of those, header extensions the router sends for that kind (with the
   * viewer's ids, see the file comment). Without it the viewer's full capabilities are
   * returned, which is only correct for a router whose numbers match the
   * viewer's (see {@link mediaCodecsForViewer}).
   */
  routerRtpCapabilities?: RtpCapabilities;
  /**
   * Only this m-line (default: every receiving audio/video m-line). Give it
   * when consuming: mediasoup matches header extensions by id and URI
   * whatever their kind, so capabilities of several m-lines can hand an
   * audio Consumer an extension only the video m-line offered (which
   * {@link consumerToAnswerMedia} then refuses). (The answer must repeat each
   * m-line's own ids; in a BUNDLE they agree anyway, RFC 8843 section 9.2.)
   */
  mid?: string;
  /** Told about every offered codec/extension left out and why. */
  onDropped?: (reason: string) => void;
}

function receiving(offer: ParsedOffer, mid?: string): Array<OfferedMedia & { kind: MediaKind }> {
  const media = activeRtpMedia(offer).filter((m) => m.direction === 'recvonly' || m.direction === 'sendrecv');
  return mid === undefined ? media : media.filter((m) => m.mid === mid);
}

/**
 * WHEP: the viewer's receive capabilities, to pass to `router.canConsume()`
 * and `transport.consume()` (preferredPayloadType/preferredId are the
 * viewer's numbers), one m-line at a time (see {@link ViewerCapabilitiesOptions.mid}).
 * See {@link ViewerCapabilitiesOptions.routerRtpCapabilities} for why the
 * router's capabilities should be given.
 * Throws SdpError 'wrong_direction' if no audio/video m-line receives.
 */
export function offerToRtpCapabilities(
  offer: ParsedOffer,
  options: ViewerCapabilitiesOptions = {},
): RtpCapabilities {
  const media = receiving(offer, options.mid);
  if (media.length === 0) {
    throw new SdpError(
      'wrong_direction',
      options.mid === undefined
        ? 'the offer receives no audio or video; a WHEP viewer must offer recvonly'
        : `m-line ${options.mid} does not receive audio or video`,
    );
  }
  const router = options.routerRtpCapabilities;
  const drop = options.onDropped ?? (() => undefined);
  const codecs: RtpCodecCapability[] = [];
  const headerExtensions: RtpHeaderExtension[] = [];

  for (const m of media) {
    const kept: RtpCodecCapability[] = [];
    for (const c of m.codecs) {
      if (isRtx(c) || AUXILIARY.test(codecName(c.mimeType))) continue;
      const cap: RtpCodecCapability = {
        kind: m.kind,
        mimeType: c.mimeType,
        preferredPayloadType: c.payloadType,
        clockRate: c.clockRate,
        ...(m.kind === 'audio' ? { channels: c.channels ?? 1 } : {}),
        parameters: { ...c.parameters },
        rtcpFeedback: c.rtcpFeedback.map((fb) => ({ ...fb })),
      };
      if (router) {
        const same = (router.codecs ?? []).find(
          (r) => !isRtx(r) && r.kind === m.kind && codecsMatch(r, cap, true),
        );
        if (!same) continue; // the router cannot carry it at all
        if (same.preferredPayloadType !== c.payloadType) {
          drop(
            `${m.kind} m-line ${m.mid}: ${codecName(c.mimeType)} is payload type ${c.payloadType} for the viewer but ${same.preferredPayloadType} on the router`,
          );
          continue;
        }
      }
      if (!codecs.some((x) => x.kind === cap.kind && x.preferredPayloadType === cap.preferredPayloadType))
        codecs.push(cap);
      kept.push(cap);
    }

    // RTX: the viewer's own RTX of each kept codec (the patched ortc gives the
    // Consumer's RTX the number whose apt is the codec's, see the file comment).
    const viewerRtx = m.codecs.filter(isRtx);
    for (const k of kept) {
      const v = viewerRtx.find((r) => Number(r.parameters['apt']) === k.preferredPayloadType);
      if (v && !codecs.some((x) => x.kind === m.kind && x.preferredPayloadType === v.payloadType)) {
        codecs.push({
          kind: m.kind,
          mimeType: v.mimeType,
          preferredPayloadType: v.payloadType,
          clockRate: v.clockRate,
          parameters: { apt: k.preferredPayloadType },
          rtcpFeedback: [],
        });
      }
    }

    for (const e of m.headerExtensions) {
      if (e.encrypted || !SUPPORTED_HEADER_EXTENSION_URIS.has(e.uri)) continue;
      const uri = e.uri as RtpHeaderExtension['uri'];
      if (router) {
        // The router's id may differ: the Consumer sends the viewer's (see the file comment).
        const r = (router.headerExtensions ?? []).find((h) => h.kind === m.kind && h.uri === uri);
        if (!r || (r.direction !== undefined && r.direction !== 'sendrecv' && r.direction !== 'sendonly'))
          continue;
      }
      if (!headerExtensions.some((h) => h.kind === m.kind && h.uri === uri)) {
        headerExtensions.push({
          kind: m.kind,
          uri,
          preferredId: e.id,
          preferredEncrypt: false,
          direction: 'sendrecv',
        });
      }
    }
  }
  return { codecs, headerExtensions };
}

/**
 * WHEP: pairs the viewer's receiving m-lines with producers, by kind in
 * m-line order (first audio m-line gets the first audio producer, ...).
 * M-lines left without a producer are to be rejected (port 0).
 */
export function assignProducersToViewerMedia<P extends { id: string; kind: MediaKind }>(
  offer: ParsedOffer,
  producers: readonly P[],
): Array<{ mid: string; kind: MediaKind; producer?: P }> {
  const used = new Set<P>();
  return receiving(offer).map((m) => {
    const producer = producers.find((p) => p.kind === m.kind && !used.has(p));
    if (producer) used.add(producer);
    return producer ? { mid: m.mid, kind: m.kind, producer } : { mid: m.mid, kind: m.kind };
  });
}

/** Arguments of {@link consumerToAnswerMedia}. */
export interface ConsumerAnswerInput {
  offer: ParsedOffer;
  /** The viewer m-line this consumer serves (also pass it as `transport.consume({ mid })`). */
  mid: string;
  /** `consumer.kind` and `consumer.rtpParameters`. */
  consumer: { kind: MediaKind; rtpParameters: RtpParameters };
  /** a=msid for the viewer; default from rtpParameters.msid, else cname + kind. Use one streamId for audio and video. */
  msid?: { streamId: string; trackId: string };
}

/**
 * WHEP: the answer m-line for one Consumer: a=sendonly, the consumer's codecs
 * and header extensions (their numbers are what mediasoup puts on the wire),
 * its SSRC and RTX SSRC with the cname, and a=msid.
 *
 * Throws SdpError 'consumer_mismatch' if a codec payload type or extension id
 * is not what the viewer offered for the same codec/URI (the viewer would
 * drop the packets: build the consume() capabilities with
 * {@link offerToRtpCapabilities} and the router's capabilities), and
 * 'invalid_argument' for a mid/kind that does not match the offer.
 */
export function consumerToAnswerMedia(input: ConsumerAnswerInput): AcceptedMedia {
  const { offer, mid, consumer } = input;
  const media = offer.media.find((m) => m.mid === mid);
  if (!media || media.kind !== consumer.kind) {
    throw new SdpError('invalid_argument', `the offer has no ${consumer.kind} m-line with mid ${mid}`);
  }
  const params = consumer.rtpParameters;
  if (params.mid !== undefined && params.mid !== mid) {
    throw new SdpError(
      'invalid_argument',
      `consumer mid ${params.mid} differs from the m-line mid ${mid}; pass { mid } to transport.consume()`,
    );
  }
  for (const c of params.codecs) {
    const offered = media.codecs.find((o) => o.payloadType === c.payloadType);
    const ok =
      offered !== undefined &&
      (isRtx(c)
        ? isRtx(offered) && Number(offered.parameters['apt']) === Number(c.parameters?.['apt'])
        : codecsMatch(offered, c, true));
    if (!ok) {
      throw new SdpError(
        'consumer_mismatch',
        `consumer sends ${codecName(c.mimeType)} as payload type ${c.payloadType}, which the viewer's m-line ${mid} offered ` +
          (offered ? `for ${codecName(offered.mimeType)}` : 'for nothing') +
          '; consume with offerToRtpCapabilities(offer, { routerRtpCapabilities })',
      );
    }
  }
  for (const e of params.headerExtensions ?? []) {
    if (!media.headerExtensions.some((o) => o.id === e.id && o.uri === e.uri)) {
      throw new SdpError(
        'consumer_mismatch',
        `consumer sends header extension ${e.uri} with id ${e.id}, which the viewer's m-line ${mid} did not offer`,
      );
    }
  }
  const encoding = params.encodings?.[0];
  if (!encoding?.ssrc) {
    throw new SdpError('invalid_argument', 'consumer rtpParameters have no encodings[0].ssrc');
  }
  const cname = params.rtcp?.cname ?? 'livecart';
  const [paramStream, paramTrack] = (params.msid ?? '').split(/\s+/);
  const msid =
    input.msid ??
    (paramStream && paramTrack
      ? { streamId: paramStream, trackId: paramTrack }
      : { streamId: cname, trackId: `${consumer.kind}-${mid}` });
  return {
    kind: consumer.kind,
    direction: 'sendonly',
    codecs: params.codecs.map((c) => ({
      ...c,
      parameters: { ...(c.parameters ?? {}) },
      rtcpFeedback: [...(c.rtcpFeedback ?? [])],
    })),
    headerExtensions: (params.headerExtensions ?? []).map((e) => ({ ...e })),
    send: {
      ssrc: encoding.ssrc,
      ...(encoding.rtx?.ssrc ? { rtxSsrc: encoding.rtx.ssrc } : {}),
      cname,
      streamId: msid.streamId,
      trackId: msid.trackId,
    },
  };
}

/**
 * WHEP for viewers whose numbers differ from the main router's (Firefox,
 * Safari, older libwebrtc, GStreamer...): `mediaCodecs` for a router whose
 * payload types are this viewer's own, to `pipeToRouter()` the producers into
 * and consume from there. Keeps the `base` codecs the viewer can receive, each
 * with the viewer's payload type; a codec whose number mediasoup would
 * already have handed to an RTX entry keeps a dynamic number instead (so
 * `createRouter` never fails; that codec then is not deliverable to this
 * viewer). Routers can be shared by viewers with the same result.
 */
export function mediaCodecsForViewer(
  offer: ParsedOffer,
  base: readonly RouterRtpCodecCapability[],
): RouterRtpCodecCapability[] {
  const media = receiving(offer);
  const claimed = new Set<number>();
  const wanted: Array<{ codec: RouterRtpCodecCapability; kind: MediaKind; pt: number }> = [];
  for (const codec of base) {
    const kind: MediaKind = /^video\//i.test(codec.mimeType) ? 'video' : 'audio';
    const offered = media
      .filter((m) => m.kind === kind)
      .flatMap((m) => m.codecs)
      .find(
        (c) =>
          !isRtx(c) &&
          !claimed.has(c.payloadType) &&
          codecsMatch(c, { ...codec, channels: kind === 'audio' ? (codec.channels ?? 1) : undefined }, true),
      );
    if (!offered) continue;
    claimed.add(offered.payloadType);
    wanted.push({ codec, kind, pt: offered.payloadType });
  }
  // mediasoup numbers each video codec's RTX with the lowest free of 100..127
  // as soon as it meets the codec: audio (no RTX) first, then video numbers in
  // that range from the lowest, then the others, avoids most collisions.
  const inRange = (pt: number) => pt >= 100 && pt <= 127;
  wanted.sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'audio' ? -1 : 1;
    if (inRange(a.pt) !== inRange(b.pt)) return inRange(a.pt) ? -1 : 1;
    return inRange(a.pt) ? a.pt - b.pt : 0;
  });
  const out: RouterRtpCodecCapability[] = [];
  for (const { codec, pt } of wanted) {
    const numbered = { ...codec, preferredPayloadType: pt };
    let usable = true;
    try {
      routerCapabilitiesFromCodecs([...out, numbered]);
    } catch {
      usable = false;
    }
    if (usable) {
      out.push(numbered);
    } else {
      const { preferredPayloadType: _ignored, ...dynamic } = codec;
      out.push(dynamic);
    }
  }
  return out;
}
