import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-errors';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
};

/**
 * Maps anything thrown to a status and the stable error body. Unknown errors
 * become a 500 with a generic message: internals never leak to clients.
 */
export function mapError(err: unknown): MappedError {
  if (err instanceof DomainError) {
    const headers =
      (err.status === 429 || err.status === 503) && typeof err.details?.retryAfterSeconds === 'number'
        ? { 'Retry-After': String(Math.ceil(err.details.retryAfterSeconds)) }
        : undefined;
    return {
      status: err.status,
      body: {
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      },
      headers,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    let message = err.message;
    if (typeof res === 'object' && res !== null && 'message' in res) {
      const m = res.message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    // Nest's own pipes and router speak in rules; people get a sentence.
    if (status === 400 && /uuid is expected/.test(message)) {
      return {
        status,
        body: {
          error: {
            code: 'invalid_id',
            message: 'This address holds an id that is not valid; check the link you followed.',
          },
        },
      };
    }
    if (status === 404 && /^Cannot [A-Z]+ \//.test(message)) {
      return { status, body: { error: { code: 'not_found', message: 'There is nothing at this address.' } } };
    }
    return { status, body: { error: { code: CODE_BY_STATUS[status] ?? `http_${status}`, message } } };
  }
  // Errors raised by Express' body parsers (malformed JSON, too large, bad charset) carry a status.
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown };
  const status =
    typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 0;
  if (status >= 400 && status < 500) {
    let message = typeof e.message === 'string' ? e.message : 'Bad request';
    if (e.type === 'entity.parse.failed') message = `Malformed JSON body: ${message}`;
    if (e.type === 'entity.too.large') message = 'Request body is too large';
    return { status, body: { error: { code: CODE_BY_STATUS[status] ?? `http_${status}`, message } } };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { error: { code: 'internal', message: 'Internal server error' } },
  };
}
