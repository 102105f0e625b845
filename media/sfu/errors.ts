/**
 * Errors of the media plane. Each carries the HTTP status a WHIP/WHEP
 * endpoint answers with (as mediasoup-demo's errors do), so the app maps
 * them without a lookup table.
 */
export class MediaError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

export class StreamNotLiveError extends MediaError {
  constructor(streamId: string) {
    super('stream_not_live', 404, `Stream ${streamId} is not live`);
  }
}

export class PublisherExistsError extends MediaError {
  constructor(streamId: string) {
    super('publisher_exists', 409, `Stream ${streamId} already has a publisher; DELETE its session first`);
  }
}

export class SessionNotFoundError extends MediaError {
  constructor(sessionId: string) {
    super('session_not_found', 404, `Session ${sessionId} not found`);
  }
}

export class MediaUnavailableError extends MediaError {
  constructor(message: string) {
    super('media_unavailable', 503, message);
  }
}

/** Too many sessions of a stream are connecting at once (or the media server is out of a resource): 503 + Retry-After. */
export class MediaBusyError extends MediaError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('media_busy', 503, message);
  }
}

/** One client has too many answered sessions that have not connected: 429 + Retry-After. */
export class TooManyPendingError extends MediaError {
  constructor(
    limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'too_many_pending',
      429,
      `At most ${limit} WebRTC sessions per client may be connecting at once; connect those or try again later`,
    );
  }
}
