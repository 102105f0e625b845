/**
 * Typed domain errors. Services throw these; one global filter maps them to
 * HTTP (`{ error: { code, message } }`) and to socket acks. Each error carries
 * its status, as mediasoup-demo's errors do, so the mapping is not a lookup
 * table that drifts from the code.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra machine-readable detail, e.g. the offending field or product. */
  readonly details?: Record<string, unknown>;

  /**
   * Without a stack trace: a domain error is an answer (409 sold out, 401,
   * 422...), never logged with its stack (the filter logs stacks of 5xx only),
   * and capturing one is paid inside the reservation batch by every buyer who
   * finds the sale sold out.
   * UnavailableError (503) captures its own.
   */
  constructor(message: string, details?: Record<string, unknown>) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.details = details;
    this.name = new.target.name;
  }
}

/**
 * The base of the errors whose thrower may name a more precise code (`sold_out`,
 * `invalid_rendition`, ...) than the status's own.
 */
function withCode(status: number, defaultCode: string) {
  return class extends DomainError {
    readonly status = status;
    constructor(
      message: string,
      readonly code = defaultCode,
      details?: Record<string, unknown>,
    ) {
      super(message, details);
    }
  };
}

/** The base of the errors whose code is their kind's. */
function fixedCode(status: number, code: string) {
  return class extends DomainError {
    readonly status = status;
    readonly code = code;
  };
}

export class BadRequestError extends withCode(400, 'bad_request') {}

export class ValidationError extends fixedCode(400, 'validation_failed') {}

export class UnauthorizedError extends fixedCode(401, 'unauthorized') {
  constructor(message = 'Authentication required') {
    super(message);
  }
}

export class ForbiddenError extends fixedCode(403, 'forbidden') {
  constructor(message = 'You are not allowed to do this') {
    super(message);
  }
}

export class NotFoundError extends fixedCode(404, 'not_found') {
  constructor(what: string, id?: string) {
    super(id === undefined ? `${what} not found` : `${what} ${id} not found`, { what, id });
  }
}

export class NotAcceptableError extends withCode(406, 'not_acceptable') {}

export class UnsupportedMediaTypeError extends fixedCode(415, 'unsupported_media_type') {}

export class MethodNotAllowedError extends fixedCode(405, 'method_not_allowed') {}

/** 404 with a message of its own (e.g. "Stream X is not live"). */
export class MissingError extends withCode(404, 'not_found') {}

export class ConflictError extends withCode(409, 'conflict') {}

export class UnprocessableError extends withCode(422, 'unprocessable') {}

export class RateLimitedError extends fixedCode(429, 'rate_limited') {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

export class UnavailableError extends withCode(503, 'unavailable') {
  constructor(
    message: string,
    code?: string,
    /** When to try again, sent as Retry-After: the resource frees itself by then. */
    retryAfterSeconds?: number,
  ) {
    super(message, code, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
    // A 5xx is a fault: the filter logs it with where it came from.
    Error.captureStackTrace(this, new.target);
  }
}
