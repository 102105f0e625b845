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

export class BadRequestError extends DomainError {
  readonly status = 400;
  constructor(
    message: string,
    readonly code = 'bad_request',
    details?: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation_failed';
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
  constructor(message = 'Authentication required') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  constructor(message = 'You are not allowed to do this') {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(what: string, id?: string) {
    super(id === undefined ? `${what} not found` : `${what} ${id} not found`, { what, id });
  }
}

export class NotAcceptableError extends DomainError {
  readonly status = 406;
  constructor(
    message: string,
    readonly code = 'not_acceptable',
  ) {
    super(message);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
}

/** 404 with a message of its own (e.g. "Stream X is not live"). */
export class MissingError extends DomainError {
  readonly status = 404;
  constructor(
    message: string,
    readonly code = 'not_found',
  ) {
    super(message);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    message: string,
    readonly code = 'conflict',
    details?: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

export class UnprocessableError extends DomainError {
  readonly status = 422;
  constructor(
    message: string,
    readonly code = 'unprocessable',
    details?: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

export class UnavailableError extends DomainError {
  readonly status = 503;
  constructor(
    message: string,
    readonly code = 'unavailable',
    /** When to try again, sent as Retry-After: the resource frees itself by then. */
    retryAfterSeconds?: number,
  ) {
    super(message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
    // A 5xx is a fault: the filter logs it with where it came from.
    Error.captureStackTrace(this, new.target);
  }
}
