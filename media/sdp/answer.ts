/**
 * Writing the SDP answer of a WHIP/WHEP session with sdp-transform, for a
 * mediasoup WebRtcTransport: ICE-lite, one BUNDLE transport, every ICE
 * candidate on every bundled m-line followed by a=end-of-candidates (a WHIP
 * client that never trickles must still connect), DTLS role per RFC 5763.
 */
import { randomInt } from 'node:crypto';
import * as sdpTransform from 'sdp-transform';
import { codecName, isRtx } from './codecs';
import { SdpError } from './errors';
import type {
  DtlsFingerprint,
  DtlsParameters,
  IceCandidate,
  IceParameters,
  RtpCodecParameters,
} from './mediasoup-types';
import type { OfferedMedia, ParsedOffer } from './parse';
import type { AcceptedMedia } from './producer';

/** The local side: a mediasoup WebRtcTransport (its getters have these names). */
export interface AnswerTransport {
  iceParameters: IceParameters;
  iceCandidates: readonly IceCandidate[];
  dtlsParameters: DtlsParameters;
}

/** Arguments of {@link createAnswer}. */
export interface CreateAnswerInput {
  offer: ParsedOffer;
  transport: AnswerTransport;
  /** Accepted m-lines by mid; every other offered m-line is rejected (port 0). */
  accepted: Readonly<Record<string, AcceptedMedia>>;
  /** o= session id (digits). Default: random. Keep it for later answers of the same session. */
  sessionId?: string;
  /** o= session version. Default 1. */
  sessionVersion?: number;
}

/** sdp-transform 2.15 reads and writes media-level msid as one string; @types/sdp-transform 3.0.0 says an array. */
type WritableMedia = Omit<sdpTransform.MediaDescription, 'msid'> & { msid?: string };
type WritableSession = Omit<sdpTransform.SessionDescription, 'media'> & { media: WritableMedia[] };

const FINGERPRINT_PREFERENCE = ['sha-256', 'sha-384', 'sha-512', 'sha-224', 'sha-1'] as const;

function pickFingerprint(dtls: DtlsParameters): DtlsFingerprint {
  for (const algorithm of FINGERPRINT_PREFERENCE) {
    const fp = dtls.fingerprints.find((f) => f.algorithm === algorithm);
    if (fp) return fp;
  }
  throw new SdpError('invalid_argument', 'transport dtlsParameters has no fingerprint');
}

function ipVersion(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

function candidateAddress(c: IceCandidate): string {
  return c.address || c.ip || '';
}

/** The "default candidate" for c=/m= (RFC 8839): the first IPv4 UDP one, else the first one. */
function defaultCandidate(candidates: readonly IceCandidate[]): IceCandidate | undefined {
  return (
    candidates.find((c) => c.protocol === 'udp' && ipVersion(candidateAddress(c)) === 4) ??
    candidates.find((c) => c.protocol === 'udp') ??
    candidates[0]
  );
}

function fmtpConfig(parameters: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const parts = Object.entries(parameters ?? {})
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => (v === '' ? k : `${k}=${String(v)}`));
  return parts.length > 0 ? parts.join(';') : undefined;
}

function writeCodecs(target: WritableMedia, codecs: readonly RtpCodecParameters[]): void {
  for (const codec of codecs) {
    const channels = codec.channels ?? 1;
    target.rtp.push({
      payload: codec.payloadType,
      codec: isRtx(codec) ? 'rtx' : codecName(codec.mimeType),
      rate: codec.clockRate,
      ...(/^audio\//i.test(codec.mimeType) && channels > 1 ? { encoding: channels } : {}),
    });
    const config = fmtpConfig(codec.parameters);
    if (config) target.fmtp.push({ payload: codec.payloadType, config });
    for (const fb of codec.rtcpFeedback ?? []) {
      (target.rtcpFb ??= []).push(
        fb.parameter
          ? { payload: codec.payloadType, type: fb.type, subtype: fb.parameter }
          : { payload: codec.payloadType, type: fb.type },
      );
    }
  }
}

function rejected(m: OfferedMedia): WritableMedia {
  return {
    type: m.type,
    port: 0,
    protocol: m.protocol,
    payloads: m.formats,
    connection: { version: 4, ip: '0.0.0.0' },
    mid: m.mid,
    direction: 'inactive',
    rtp: [],
    fmtp: [],
  };
}

/**
 * Builds the SDP answer (a string with CRLF line ends) for a WHIP publisher
 * or WHEP viewer offer.
 *
 * Session: a=ice-lite (mediasoup is ICE-lite), a=group:BUNDLE of the accepted
 * mids in offer order, a=extmap-allow-mixed if offered, a=msid-semantic when
 * the server sends. Each accepted m-line: the transport's ICE credentials,
 * its sha-256 fingerprint (else the strongest it has), a=setup:passive
 * (a=setup:active only if the client offered passive; connect the transport
 * with {@link offerToDtlsParameters}), every candidate (tcp ones with
 * tcptype passive) and a=end-of-candidates, a=rtcp-mux, a=rtcp-rsize when
 * offered, the direction, rtpmap/fmtp/rtcp-fb of the accepted codecs,
 * extmap, and for a WHIP simulcast m-line a=rid:<id> recv + a=simulcast:recv;
 * for a WHEP m-line a=msid, a=ssrc cname/msid and a=ssrc-group:FID. Every
 * other m-line is rejected with port 0 (its a=mid kept).
 *
 * Throws SdpError 'invalid_argument' if `accepted` is empty or names an mid
 * the offer lacks or with another kind.
 */
export function createAnswer(input: CreateAnswerInput): string {
  const { offer, transport, accepted } = input;
  const acceptedMids = Object.keys(accepted);
  if (acceptedMids.length === 0)
    throw new SdpError('invalid_argument', 'no m-line accepted; answer the request with an error instead');
  for (const mid of acceptedMids) {
    const m = offer.media.find((x) => x.mid === mid);
    if (!m || m.disabled || m.kind !== accepted[mid].kind) {
      throw new SdpError(
        'invalid_argument',
        `accepted mid ${mid} is not an enabled ${accepted[mid].kind} m-line of the offer`,
      );
    }
  }

  const fingerprint = pickFingerprint(transport.dtlsParameters);
  const setup = offer.setup === 'passive' ? 'active' : 'passive';
  const fallback = defaultCandidate(transport.iceCandidates);
  const defaultAddress = fallback ? candidateAddress(fallback) : '0.0.0.0';
  const defaultPort = fallback ? fallback.port : 9;
  const candidates = transport.iceCandidates.map((c) => ({
    foundation: String(c.foundation),
    component: 1,
    transport: c.protocol,
    priority: c.priority,
    ip: candidateAddress(c),
    port: c.port,
    type: c.type,
    ...(c.protocol === 'tcp' ? { tcptype: c.tcpType ?? 'passive' } : {}),
  }));

  const bundled = offer.media.filter((m) => accepted[m.mid] !== undefined).map((m) => m.mid);
  const sends = acceptedMids.some((mid) => accepted[mid].send !== undefined);

  const media: WritableMedia[] = offer.media.map((m) => {
    const a = accepted[m.mid];
    if (!a) return rejected(m);
    const out: WritableMedia = {
      type: m.type,
      port: defaultPort,
      protocol: m.protocol,
      payloads: a.codecs.map((c) => c.payloadType).join(' '),
      connection: { version: ipVersion(defaultAddress), ip: defaultAddress },
      mid: m.mid,
      iceUfrag: transport.iceParameters.usernameFragment,
      icePwd: transport.iceParameters.password,
      fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
      setup,
      candidates: candidates.map((c) => ({ ...c })),
      endOfCandidates: 'end-of-candidates',
      rtcpMux: 'rtcp-mux',
      ...(m.rtcpRsize ? { rtcpRsize: 'rtcp-rsize' as const } : {}),
      direction: a.direction,
      rtp: [],
      fmtp: [],
      ext: a.headerExtensions.map((e) => ({ value: e.id, uri: e.uri })),
    };
    writeCodecs(out, a.codecs);
    if (a.recvRids && a.recvRids.length > 0) {
      out.rids = a.recvRids.map((id) => ({ id, direction: 'recv' }));
      out.simulcast = { dir1: 'recv', list1: a.recvRids.join(';') };
    }
    if (a.send) {
      const msid = `${a.send.streamId} ${a.send.trackId}`;
      out.msid = msid;
      const ssrcs = a.send.rtxSsrc !== undefined ? [a.send.ssrc, a.send.rtxSsrc] : [a.send.ssrc];
      if (a.send.rtxSsrc !== undefined) out.ssrcGroups = [{ semantics: 'FID', ssrcs: ssrcs.join(' ') }];
      out.ssrcs = ssrcs.flatMap((id) => [
        { id, attribute: 'cname', value: a.send?.cname },
        { id, attribute: 'msid', value: msid },
      ]);
    }
    return out;
  });

  const session: WritableSession = {
    version: 0,
    origin: {
      username: 'livecart',
      sessionId: input.sessionId ?? String(randomInt(1, 2 ** 47)),
      sessionVersion: input.sessionVersion ?? 1,
      netType: 'IN',
      ipVer: 4,
      address: '0.0.0.0',
    },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    groups: [{ type: 'BUNDLE', mids: bundled.join(' ') }],
    ...(offer.extmapAllowMixed ? { extmapAllowMixed: 'extmap-allow-mixed' as const } : {}),
    ...(sends ? { msidSemantic: { semantic: 'WMS', token: '*' } } : {}),
    media,
  };
  return sdpTransform.write(session as unknown as sdpTransform.SessionDescription);
}
