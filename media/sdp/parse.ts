/**
 * Reading and validating WHIP/WHEP offers. Everything is parsed by
 * sdp-transform; this file only normalises what it returns (sdp-transform
 * turns any all-digit token into a number: a=mid:0 gives mid 0, an all-digit
 * profile-level-id such as 640032 a number) and checks what a mediasoup
 * WebRtcTransport needs: ICE credentials, a DTLS fingerprint, one BUNDLE
 * transport (RFC 8843) and rtcp-mux (RFC 5761).
 */
import * as sdpTransform from 'sdp-transform';
import { SdpError } from './errors';
import type {
  DtlsFingerprint,
  DtlsParameters,
  FingerprintAlgorithm,
  MediaKind,
  RtcpFeedback,
} from './mediasoup-types';

/** SDP direction attribute (RFC 3264). */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** a=setup of the offer (RFC 4145 / 5763). */
export type SetupRole = 'actpass' | 'active' | 'passive';

/** One payload type of an m-line, as mediasoup would name it. */
export interface OfferedCodec {
  payloadType: number;
  /** 'audio/opus', 'video/H264', 'video/rtx' (case as written in the SDP). */
  mimeType: string;
  clockRate: number;
  /** Audio only: the rtpmap channel count, 1 when omitted. */
  channels?: number;
  /**
   * fmtp parameters. All-digit values are numbers (as mediasoup expects for
   * packetization-mode, apt, profile-id); profile-level-id is always a string.
   * A bare flag without '=' has the value ''.
   */
  parameters: Record<string, string | number>;
  rtcpFeedback: RtcpFeedback[];
}

/** a=extmap (RFC 8285). */
export interface OfferedHeaderExtension {
  id: number;
  uri: string;
  direction?: Direction;
  /** RFC 6904 encrypted extension; mediasoup cannot use these. */
  encrypted: boolean;
}

/** The attributes given for one SSRC (a=ssrc:N cname:... / msid:...). */
export interface OfferedSsrc {
  ssrc: number;
  cname?: string;
  msid?: string;
}

/** a=ssrc-group, e.g. FID (media + RTX) or SIM (legacy simulcast). */
export interface OfferedSsrcGroup {
  semantics: string;
  ssrcs: number[];
}

/** a=rid (RFC 8851). */
export interface OfferedRid {
  id: string;
  direction: 'send' | 'recv';
  /** pt= restriction, if any. */
  payloadTypes?: number[];
  /** Other restrictions (max-width, max-height, max-fps, max-br, ...). */
  restrictions: Record<string, string | number>;
}

/** One simulcast stream: its rid, then alternatives (rarely used). */
export type SimulcastStream = Array<{ rid: string; paused: boolean }>;

/** a=simulcast (RFC 8853), by direction. */
export interface OfferedSimulcast {
  send?: SimulcastStream[];
  recv?: SimulcastStream[];
}

/** One m-line of the offer. */
export interface OfferedMedia {
  /** Position in the offer; the answer must keep the same order. */
  index: number;
  /** audio/video; every other media type (data channel, text...) is 'application'. */
  kind: MediaKind | 'application';
  /** The media type exactly as written on the m-line. */
  type: string;
  mid: string;
  port: number;
  protocol: string;
  /** The m-line's format list as written (used to reject the m-line). */
  formats: string;
  direction: Direction;
  /** Port 0 without a=bundle-only: the offerer disabled this m-line. */
  disabled: boolean;
  rtcpMux: boolean;
  rtcpRsize: boolean;
  /** In m-line order, which is the offerer's preference. */
  codecs: OfferedCodec[];
  headerExtensions: OfferedHeaderExtension[];
  ssrcs: OfferedSsrc[];
  ssrcGroups: OfferedSsrcGroup[];
  rids: OfferedRid[];
  simulcast?: OfferedSimulcast;
  /** a=msid (or the first a=ssrc msid): "streamId trackId". */
  msid?: { streamId: string; trackId?: string };
}

/** A validated offer: everything needed to create producers/consumers and to answer. */
export interface ParsedOffer {
  iceUfrag: string;
  icePwd: string;
  iceLite: boolean;
  iceOptions: string[];
  /** Every distinct fingerprint with a hash mediasoup knows (algorithm lower-case). */
  fingerprints: DtlsFingerprint[];
  /** The offerer's a=setup; an absent one counts as 'active' (RFC 4145). */
  setup: SetupRole;
  /** mids of the first BUNDLE group; empty only for a single-m-line offer without one. */
  bundle: string[];
  /** a=extmap-allow-mixed (RFC 8285 two-byte headers may be mixed in). */
  extmapAllowMixed: boolean;
  media: OfferedMedia[];
}

const FINGERPRINT_ALGORITHMS: readonly FingerprintAlgorithm[] = [
  'sha-1',
  'sha-224',
  'sha-256',
  'sha-384',
  'sha-512',
];

/** Static payload types (RFC 3551) that may appear without an a=rtpmap. */
const STATIC_PAYLOAD_TYPES: Readonly<Record<number, { name: string; clockRate: number; channels?: number }>> =
  {
    0: { name: 'PCMU', clockRate: 8000, channels: 1 },
    8: { name: 'PCMA', clockRate: 8000, channels: 1 },
    9: { name: 'G722', clockRate: 8000, channels: 1 },
    13: { name: 'CN', clockRate: 8000, channels: 1 },
    18: { name: 'G729', clockRate: 8000, channels: 1 },
    34: { name: 'H263', clockRate: 90000 },
  };

/** sdp-transform yields numbers for all-digit tokens; this gives them back as text. */
const str = (v: string | number | undefined | null): string | undefined =>
  v === undefined || v === null ? undefined : String(v);

function isDirection(v: unknown): v is Direction {
  return v === 'sendrecv' || v === 'sendonly' || v === 'recvonly' || v === 'inactive';
}

/** Parses an fmtp config with sdp-transform and normalises the value types. */
export function parseFmtp(config: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(sdpTransform.parseParams(config))) {
    if (!key) continue;
    if (value === undefined) out[key] = '';
    else if (key === 'profile-level-id') out[key] = String(value);
    else out[key] = value;
  }
  return out;
}

function parseRidRestrictions(params: string | undefined): {
  payloadTypes?: number[];
  restrictions: Record<string, string | number>;
} {
  const restrictions: Record<string, string | number> = {};
  let payloadTypes: number[] | undefined;
  if (!params) return { restrictions };
  for (const part of params.split(';')) {
    const [rawKey, rawValue] = part.split('=', 2);
    const key = rawKey?.trim();
    if (!key) continue;
    const value = rawValue?.trim() ?? '';
    if (key === 'pt') {
      payloadTypes = value
        .split(',')
        .map((v) => Number(v))
        .filter((n) => Number.isInteger(n));
    } else {
      restrictions[key] = /^\d+$/.test(value) ? Number(value) : value;
    }
  }
  return { payloadTypes, restrictions };
}

function parseSimulcastList(list: string): SimulcastStream[] {
  return sdpTransform
    .parseSimulcastStreamList(list)
    .map((stream) => stream.map((format) => ({ rid: String(format.scid), paused: format.paused })));
}

function parseMsid(value: unknown): { streamId: string; trackId?: string } | undefined {
  // @types/sdp-transform 3.0.0 declares media msid as an array, but
  // sdp-transform 2.15's grammar keeps one string per m-line.
  const raw: unknown = Array.isArray(value) ? (value[0] as { id?: unknown } | undefined)?.id : value;
  const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  if (!text) return undefined;
  const [streamId, trackId] = text.trim().split(/\s+/, 2);
  if (!streamId) return undefined;
  return { streamId, trackId };
}

function mediaKind(type: string): MediaKind | 'application' {
  return type === 'audio' || type === 'video' ? type : 'application';
}

function parseCodecs(m: sdpTransform.MediaDescription, kind: MediaKind | 'application'): OfferedCodec[] {
  if (kind === 'application') return [];
  const payloads = sdpTransform.parsePayloads(String(m.payloads ?? '')).filter((n) => Number.isInteger(n));
  const codecs: OfferedCodec[] = [];
  for (const pt of payloads) {
    const rtpmap = m.rtp.find((r) => Number(r.payload) === pt);
    let name: string;
    let clockRate: number;
    let channels: number | undefined;
    if (rtpmap) {
      name = String(rtpmap.codec);
      clockRate = Number(rtpmap.rate);
      channels = rtpmap.encoding !== undefined ? Number(rtpmap.encoding) : undefined;
    } else if (STATIC_PAYLOAD_TYPES[pt]) {
      ({ name, clockRate, channels } = STATIC_PAYLOAD_TYPES[pt]);
    } else {
      continue; // a dynamic payload type without rtpmap cannot be used
    }
    if (!Number.isFinite(clockRate) || clockRate <= 0) {
      throw new SdpError('malformed', `a=rtpmap:${pt} has no valid clock rate`);
    }
    const fmtp = m.fmtp.filter((f) => Number(f.payload) === pt).map((f) => parseFmtp(String(f.config)));
    const rtcpFeedback: RtcpFeedback[] = (m.rtcpFb ?? [])
      .filter((fb) => String(fb.payload) === '*' || Number(fb.payload) === pt)
      .map((fb) =>
        fb.subtype !== undefined
          ? { type: String(fb.type), parameter: String(fb.subtype) }
          : { type: String(fb.type) },
      );
    codecs.push({
      payloadType: pt,
      mimeType: `${kind}/${name}`,
      clockRate,
      ...(kind === 'audio' ? { channels: channels ?? 1 } : {}),
      parameters: Object.assign({}, ...fmtp) as Record<string, string | number>,
      rtcpFeedback,
    });
  }
  return codecs;
}

function parseSsrcs(m: sdpTransform.MediaDescription): OfferedSsrc[] {
  const byId = new Map<number, OfferedSsrc>();
  for (const line of m.ssrcs ?? []) {
    const ssrc = Number(line.id);
    if (!Number.isInteger(ssrc)) continue;
    const entry = byId.get(ssrc) ?? { ssrc };
    if (line.attribute === 'cname' && line.value !== undefined) entry.cname = String(line.value);
    if (line.attribute === 'msid' && line.value !== undefined) entry.msid = String(line.value);
    byId.set(ssrc, entry);
  }
  return [...byId.values()];
}

/**
 * Parses and validates an offer. Throws {@link SdpError}:
 * 'malformed' for text that is not SDP; 'no_media' when no audio/video m-line
 * is usable; 'no_dtls' for a non DTLS-SRTP profile, no usable fingerprint or
 * a=setup:holdconn; 'no_ice' without ICE credentials; 'not_bundled' when
 * several RTP m-lines are not in one BUNDLE group; 'no_rtcp_mux' without
 * a=rtcp-mux. Whether directions and codecs fit is checked later, by the
 * WHIP/WHEP functions.
 */
export function parseOffer(sdp: string): ParsedOffer {
  if (typeof sdp !== 'string' || !/^\s*v=0\s*(\r\n|\r|\n)/.test(sdp)) {
    throw new SdpError('malformed', 'body is not an SDP offer: it must start with "v=0"');
  }
  const session = sdpTransform.parse(sdp);
  if (Number(session.version) !== 0 || !session.origin) {
    throw new SdpError('malformed', 'SDP has no valid v= and o= lines');
  }

  const groups = (session.groups ?? []).map((g) => ({
    type: String(g.type),
    mids: String(g.mids).trim().split(/\s+/),
  }));
  const bundleGroup = groups.find((g) => g.type.toUpperCase() === 'BUNDLE');
  const sessionExts = session.ext ?? [];

  const media: OfferedMedia[] = session.media.map((m, index) => {
    if (!m.type || !m.protocol) {
      throw new SdpError('malformed', `m-line #${index + 1} is not a valid media description`);
    }
    const kind = mediaKind(String(m.type));
    const port = Number(m.port);
    const disabled = port === 0 && m.bundleOnly === undefined;
    const mid = str(m.mid) ?? '';
    const direction = isDirection(m.direction)
      ? m.direction
      : isDirection(session.direction)
        ? session.direction
        : 'sendrecv';

    const exts = [...(m.ext ?? [])];
    for (const e of sessionExts) if (!exts.some((x) => Number(x.value) === Number(e.value))) exts.push(e);
    for (const e of exts) {
      const id = Number(e.value);
      // RFC 8285: ids 1-14 in one-byte headers, 1-255 in two-byte ones; 0 is padding, never an id.
      if (!Number.isInteger(id) || id < 1 || id > 255) {
        throw new SdpError(
          'malformed',
          `a=extmap:${String(e.value)} has an invalid id: extension ids are 1 to 255`,
        );
      }
    }
    const headerExtensions: OfferedHeaderExtension[] = exts.map((e) => ({
      id: Number(e.value),
      uri: String(e.uri),
      ...(isDirection(e.direction) ? { direction: e.direction } : {}),
      encrypted: e['encrypt-uri'] !== undefined,
    }));

    const ssrcs = parseSsrcs(m);
    const rids: OfferedRid[] = (m.rids ?? [])
      .filter((r) => r.direction === 'send' || r.direction === 'recv')
      .map((r) => ({
        id: String(r.id),
        direction: r.direction as 'send' | 'recv',
        ...parseRidRestrictions(str(r.params)),
      }));

    let simulcast: OfferedSimulcast | undefined;
    if (m.simulcast) {
      simulcast = {};
      simulcast[m.simulcast.dir1] = parseSimulcastList(String(m.simulcast.list1));
      if (m.simulcast.dir2 && m.simulcast.list2 !== undefined)
        simulcast[m.simulcast.dir2] = parseSimulcastList(String(m.simulcast.list2));
    }

    const msid = parseMsid((m as { msid?: unknown }).msid) ?? parseMsid(ssrcs.find((s) => s.msid)?.msid);

    return {
      index,
      kind,
      type: String(m.type),
      mid,
      port,
      protocol: String(m.protocol),
      formats: String(m.payloads ?? ''),
      direction,
      disabled,
      rtcpMux: m.rtcpMux !== undefined,
      rtcpRsize: m.rtcpRsize !== undefined,
      codecs: parseCodecs(m, kind),
      headerExtensions,
      ssrcs,
      ssrcGroups: (m.ssrcGroups ?? []).map((g) => ({
        semantics: String(g.semantics),
        ssrcs: String(g.ssrcs)
          .trim()
          .split(/\s+/)
          .map(Number)
          .filter((n) => Number.isInteger(n)),
      })),
      rids,
      ...(simulcast ? { simulcast } : {}),
      ...(msid ? { msid } : {}),
    };
  });

  const rtpMedia = media.filter((m) => m.kind !== 'application' && !m.disabled);
  if (rtpMedia.length === 0) {
    throw new SdpError('no_media', 'the offer has no enabled audio or video m-line');
  }

  // mids: needed to bundle; a lone m-line without one gets its index.
  for (const m of media) {
    if (m.mid) continue;
    if (media.length === 1 && !bundleGroup) m.mid = String(m.index);
    else
      throw new SdpError(
        'malformed',
        `m-line #${m.index + 1} (${m.type}) has no a=mid; BUNDLE (RFC 8843) needs one per m-line`,
      );
  }
  const seen = new Set<string>();
  for (const m of media) {
    if (seen.has(m.mid)) throw new SdpError('malformed', `a=mid:${m.mid} is used by two m-lines`);
    seen.add(m.mid);
  }

  for (const m of rtpMedia) {
    if (!/SAVPF?$/i.test(m.protocol) || !/(^|\/)(TLS|DTLS)\/|^RTP\/SAVPF$/i.test(m.protocol)) {
      throw new SdpError(
        'no_dtls',
        `m-line ${m.mid} (${m.kind}) uses ${m.protocol}; WebRTC ingest needs DTLS-SRTP (UDP/TLS/RTP/SAVPF)`,
      );
    }
  }

  // ICE credentials: media-level of the first RTP m-line wins over session-level (RFC 8839).
  const first = session.media[rtpMedia[0].index];
  const iceUfrag = str(first.iceUfrag) ?? str(session.iceUfrag);
  const icePwd = str(first.icePwd) ?? str(session.icePwd);
  if (!iceUfrag || !icePwd) {
    throw new SdpError(
      'no_ice',
      'the offer has no a=ice-ufrag / a=ice-pwd; the server cannot check ICE connectivity without them',
    );
  }
  const iceOptions = (str(first.iceOptions) ?? str(session.iceOptions) ?? '').split(/[\s,]+/).filter(Boolean);

  const fingerprints: DtlsFingerprint[] = [];
  for (const fp of [session.fingerprint, ...session.media.map((m) => m.fingerprint)]) {
    if (!fp) continue;
    const algorithm = String(fp.type).toLowerCase() as FingerprintAlgorithm;
    const value = String(fp.hash).toUpperCase();
    if (!FINGERPRINT_ALGORITHMS.includes(algorithm) || !/^[0-9A-F]{2}(:[0-9A-F]{2})+$/.test(value)) continue;
    if (!fingerprints.some((f) => f.algorithm === algorithm && f.value === value))
      fingerprints.push({ algorithm, value });
  }
  if (fingerprints.length === 0) {
    throw new SdpError(
      'no_dtls',
      'the offer has no usable a=fingerprint (sha-1/224/256/384/512); DTLS-SRTP needs the client certificate fingerprint',
    );
  }

  const rawSetup = (str(first.setup) ?? str(session.setup) ?? 'active').toLowerCase();
  if (rawSetup !== 'actpass' && rawSetup !== 'active' && rawSetup !== 'passive') {
    throw new SdpError('no_dtls', `a=setup:${rawSetup} is not usable; offer a=setup:actpass`);
  }
  const setup: SetupRole = rawSetup;

  const bundle = bundleGroup ? bundleGroup.mids : [];
  if (rtpMedia.length > 1) {
    const unbundled = rtpMedia.filter((m) => !bundle.includes(m.mid));
    if (!bundleGroup || unbundled.length > 0) {
      throw new SdpError(
        'not_bundled',
        `m-lines ${(bundleGroup ? unbundled : rtpMedia).map((m) => m.mid).join(', ')} are not in an a=group:BUNDLE; ` +
          'the server carries all media on one transport, so offer a=group:BUNDLE with every mid (RFC 8843)',
      );
    }
  }

  for (const m of rtpMedia) {
    if (!m.rtcpMux) {
      throw new SdpError(
        'no_rtcp_mux',
        `m-line ${m.mid} (${m.kind}) has no a=rtcp-mux; the mediasoup server only supports RTP and RTCP multiplexed on one port (RFC 5761)`,
      );
    }
  }

  return {
    iceUfrag,
    icePwd,
    iceLite: session.icelite !== undefined,
    iceOptions,
    fingerprints,
    setup,
    bundle,
    extmapAllowMixed:
      session.extmapAllowMixed !== undefined || session.media.some((m) => m.extmapAllowMixed !== undefined),
    media,
  };
}

/** The RTP (audio/video) m-lines that are enabled, in offer order. */
export function activeRtpMedia(offer: ParsedOffer): Array<OfferedMedia & { kind: MediaKind }> {
  return offer.media.filter(
    (m): m is OfferedMedia & { kind: MediaKind } => m.kind !== 'application' && !m.disabled,
  );
}

/**
 * What to give `webRtcTransport.connect({ dtlsParameters })`: the client's
 * fingerprints and its DTLS role. The answer takes a=setup:passive (the
 * mediasoup transport is the DTLS server) unless the client insisted on
 * being passive, in which case the server is the client.
 */
export function offerToDtlsParameters(offer: ParsedOffer): DtlsParameters {
  return {
    role: offer.setup === 'passive' ? 'server' : 'client',
    fingerprints: offer.fingerprints.map((f) => ({ ...f })),
  };
}
