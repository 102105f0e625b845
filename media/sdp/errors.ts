/**
 * Why an SDP offer cannot be served. Each code is a distinct thing the client
 * can fix, so the HTTP layer can answer with the right status and the client's
 * logs say what to change.
 */
export type SdpErrorCode =
  /** Not SDP at all, or SDP this module cannot read (bad m-line, bad attribute value). */
  | 'malformed'
  /** No usable audio or video m-line. */
  | 'no_media'
  /** An m-line direction that does not fit the endpoint (e.g. a WHIP offer that only receives). */
  | 'wrong_direction'
  /** Missing a=ice-ufrag / a=ice-pwd. */
  | 'no_ice'
  /** Missing or unusable DTLS: no a=fingerprint, unknown hash, a=setup:holdconn, or not a DTLS-SRTP profile. */
  | 'no_dtls'
  /** Several RTP m-lines not grouped by a=group:BUNDLE (one mediasoup transport carries them all). */
  | 'not_bundled'
  /** An RTP m-line without a=rtcp-mux (mediasoup only does RTP/RTCP multiplexing, RFC 5761). */
  | 'no_rtcp_mux'
  /** No offered codec is one the router can take (or deliver, for a viewer). */
  | 'unsupported_codec'
  /**
   * A consumer would send payload types or header-extension ids the viewer did
   * not offer (mediasoup 3.27 sends the router's numbers to every consumer).
   */
  | 'consumer_mismatch'
  /** A caller bug: arguments that do not belong together. */
  | 'invalid_argument';

/**
 * Raised by every function of this module for input it refuses. `message` is
 * written for a human reading the client's logs: it says what was offered and
 * what would work.
 */
export class SdpError extends Error {
  override readonly name = 'SdpError';

  constructor(
    readonly code: SdpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * HTTP status a WHIP/WHEP endpoint should answer an SdpError with: 406 when
 * the offer is well formed but nothing in it can be negotiated, 500 for
 * caller bugs, 400 otherwise. Put `error.message` in the response body.
 */
export function sdpErrorHttpStatus(error: SdpError): 400 | 406 | 500 {
  switch (error.code) {
    case 'unsupported_codec':
    case 'consumer_mismatch':
      return 406;
    case 'invalid_argument':
      return 500;
    default:
      return 400;
  }
}
