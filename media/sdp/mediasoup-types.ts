/**
 * The few mediasoup types this module speaks, copied from mediasoup 3.27's
 * `types` export (node/lib/rtpParametersTypes.d.ts and
 * node/lib/WebRtcTransportTypes.d.ts of mediasoup 3.27.1).
 *
 * Why a copy: the SDP module must compile and be unit-tested before mediasoup
 * is a dependency of the project, and it never needs mediasoup at run time.
 * The shapes mirror mediasoup's exactly (same field names, same optionality,
 * same header-extension URI union), so mediasoup's own objects
 * (`router.rtpCapabilities`, `transport.iceParameters`,
 * `consumer.rtpParameters`, ...) can be passed in and what this module returns
 * can be handed to `transport.produce()` / `transport.consume()` unchanged.
 * When mediasoup is installed these can be swapped for
 * `import type { types } from 'mediasoup'` without touching callers.
 */

/** Media kind ('audio' or 'video'). */
export type MediaKind = 'audio' | 'video';

/** RTCP feedback mechanism of a codec (a=rtcp-fb). */
export type RtcpFeedback = {
  type: string;
  parameter?: string;
};

/** A codec an endpoint can send or receive (router or remote capabilities). */
export type RtpCodecCapability = {
  kind: MediaKind;
  mimeType: string;
  preferredPayloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
  rtcpFeedback?: RtcpFeedback[];
};

/** An entry of the `mediaCodecs` given to `worker.createRouter()`. */
export type RouterRtpCodecCapability = Omit<RtpCodecCapability, 'preferredPayloadType'> & {
  preferredPayloadType?: number;
};

/** Header extension URIs mediasoup 3.27 understands (others are rejected by the worker). */
export type RtpHeaderExtensionUri =
  | 'urn:ietf:params:rtp-hdrext:sdes:mid'
  | 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'
  | 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'
  | 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'
  | 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
  | 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'
  | 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'
  | 'urn:3gpp:video-orientation'
  | 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'
  | 'urn:ietf:params:rtp-hdrext:toffset'
  | 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'
  | 'urn:mediasoup:params:rtp-hdrext:packet-id';

export type RtpHeaderExtensionDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** A header extension in RTP capabilities. */
export type RtpHeaderExtension = {
  kind: MediaKind;
  uri: RtpHeaderExtensionUri;
  preferredId: number;
  preferredEncrypt?: boolean;
  direction?: RtpHeaderExtensionDirection;
};

/** RTP capabilities of an endpoint (`router.rtpCapabilities`, a viewer's). */
export type RtpCapabilities = {
  codecs?: RtpCodecCapability[];
  headerExtensions?: RtpHeaderExtension[];
};

export type RouterRtpCapabilities = Omit<RtpCapabilities, 'codecs'> & {
  codecs?: RouterRtpCodecCapability[];
};

/** A codec actually used by a Producer or Consumer. */
export type RtpCodecParameters = {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
  rtcpFeedback?: RtcpFeedback[];
};

/** One RTP stream (simulcast layer or the single stream). */
export type RtpEncodingParameters = {
  ssrc?: number;
  rid?: string;
  codecPayloadType?: number;
  rtx?: { ssrc: number };
  dtx?: boolean;
  scalabilityMode?: string;
  maxBitrate?: number;
};

/** A header extension actually used, with its negotiated id. */
export type RtpHeaderExtensionParameters = {
  uri: RtpHeaderExtensionUri;
  id: number;
  encrypt?: boolean;
  parameters?: Record<string, unknown>;
};

export type RtcpParameters = {
  cname?: string;
  reducedSize?: boolean;
};

/** What `transport.produce()` takes and `consumer.rtpParameters` holds. */
export type RtpParameters = {
  mid?: string;
  codecs: RtpCodecParameters[];
  headerExtensions?: RtpHeaderExtensionParameters[];
  encodings?: RtpEncodingParameters[];
  rtcp?: RtcpParameters;
  msid?: string;
};

/** `webRtcTransport.iceParameters`. */
export type IceParameters = {
  usernameFragment: string;
  password: string;
  iceLite?: boolean;
};

export type TransportProtocol = 'udp' | 'tcp';

/**
 * `webRtcTransport.iceCandidates[n]`. mediasoup 3.27 fills both `address`
 * and the deprecated `ip`; only `address` is required here so hand-made
 * candidates in tests stay short (mediasoup's type is still assignable).
 */
export type IceCandidate = {
  foundation: string;
  priority: number;
  address: string;
  ip?: string;
  protocol: TransportProtocol;
  port: number;
  type: 'host';
  tcpType?: 'passive';
};

export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

export type DtlsFingerprint = {
  algorithm: FingerprintAlgorithm;
  value: string;
};

export type DtlsRole = 'auto' | 'client' | 'server';

/** `webRtcTransport.dtlsParameters`, and the argument of `transport.connect()`. */
export type DtlsParameters = {
  role?: DtlsRole;
  fingerprints: DtlsFingerprint[];
};
