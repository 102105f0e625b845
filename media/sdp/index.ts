/**
 * SDP <-> mediasoup translation for WHIP (RFC 9725) publishers and WHEP
 * viewers: parse and validate offers, turn them into Producer RtpParameters
 * or viewer RtpCapabilities, and write ICE-lite BUNDLE answers. Pure (no I/O,
 * no mediasoup at run time); SDP is read and written with sdp-transform.
 *
 * WHIP:  parseOffer -> offerToProducerParameters -> transport.produce() per
 *        spec -> createAnswer({ accepted: acceptedFromProducers(specs) }).
 * WHEP:  parseOffer -> assignProducersToViewerMedia -> per m-line:
 *        offerToRtpCapabilities(offer, { mid, routerRtpCapabilities })
 *        -> transport.consume({ mid, ... }) -> consumerToAnswerMedia
 *        -> createAnswer.
 */
export { SdpError, sdpErrorHttpStatus, type SdpErrorCode } from './errors';
export {
  parseOffer,
  parseFmtp,
  activeRtpMedia,
  offerToDtlsParameters,
  type ParsedOffer,
  type OfferedMedia,
  type OfferedCodec,
  type OfferedHeaderExtension,
  type OfferedSsrc,
  type OfferedSsrcGroup,
  type OfferedRid,
  type OfferedSimulcast,
  type SimulcastStream,
  type Direction,
  type SetupRole,
} from './parse';
export {
  DEFAULT_MEDIA_CODECS,
  SUPPORTED_HEADER_EXTENSION_URIS,
  routerCapabilitiesFromCodecs,
  codecsMatch,
  isRtx,
  type CodecLike,
} from './codecs';
export {
  parseProfileLevelId,
  profileLevelIdToString,
  isSameH264Profile,
  h264CodecsMatch,
  answerProfileLevelId,
  describeH264,
  type H264Profile,
  type H264ProfileLevel,
} from './h264';
export {
  offerToProducerParameters,
  acceptedFromProducers,
  describeCodec,
  DEFAULT_VIDEO_CODEC_PREFERENCE,
  DEFAULT_AUDIO_CODEC_PREFERENCE,
  type AcceptedMedia,
  type ProducerSpec,
  type ProducerOptions,
} from './producer';
export {
  offerToRtpCapabilities,
  assignProducersToViewerMedia,
  consumerToAnswerMedia,
  mediaCodecsForViewer,
  type ViewerCapabilitiesOptions,
  type ConsumerAnswerInput,
} from './consumer';
export { createAnswer, type AnswerTransport, type CreateAnswerInput } from './answer';
export type * from './mediasoup-types';
