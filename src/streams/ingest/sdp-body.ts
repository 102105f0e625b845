import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, UnsupportedMediaTypeError } from '../../common/errors/domain-errors';
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces } from '@nestjs/swagger';
import { AcceptsBody, type BodyOptions } from '../../common/http/body-options';

/** A WHIP/WHEP offer: SDP only (anything else is 415 before it is read), at most 64 KiB (a simulcast offer is ~6 KB). */
export const SDP_OFFER: BodyOptions = { limit: 64 * 1024, consumes: ['application/sdp'] };

/** A route that reads an SDP offer (`offer` says which) and answers SDP: WHIP publish, WHEP play. */
export const SdpExchange = (offer: string): MethodDecorator =>
  applyDecorators(
    AcceptsBody(SDP_OFFER),
    ApiConsumes('application/sdp'),
    ApiProduces('application/sdp'),
    ApiBody({ schema: { type: 'string' }, description: offer }),
  );

/** A trickle-ICE PATCH: an SDP fragment (RFC 8840), a few candidates long. */
export const TRICKLE_FRAGMENT: BodyOptions = {
  limit: 16 * 1024,
  consumes: ['application/trickle-ice-sdpfrag'],
};

/** The SDP body of a WHIP/WHEP request, or the right 4xx (RFC 9725 §4.2). */
export function sdpBody(req: FastifyRequest, expected = 'application/sdp'): string {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== expected) {
    throw new UnsupportedMediaTypeError(`Content-Type must be ${expected} (got ${type || 'none'})`);
  }
  const body: unknown = req.body;
  if (typeof body !== 'string' || body.trim() === '')
    throw new BadRequestError(`The body must be an ${expected} document`, 'sdp_empty');
  return body;
}

/** The bearer token of a WHIP request (the stream key), or undefined. */
export function bearerOf(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec((req.headers.authorization ?? '').trim());
  return m?.[1];
}

/** 201 with the SDP answer and the session resource (RFC 9725 §4.2), for WHIP and WHEP alike. */
export function sendAnswer(res: FastifyReply, location: string, sessionId: string, answer: string): void {
  void res
    .status(201)
    .headers({
      'Content-Type': 'application/sdp',
      Location: location,
      ETag: `"${sessionId}"`,
      'Accept-Patch': 'application/trickle-ice-sdpfrag',
      'Cache-Control': 'no-store',
    })
    .send(answer);
}
