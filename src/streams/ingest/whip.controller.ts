import { Controller, Delete, HttpCode, Patch, Post, Req, Res } from '@nestjs/common';
import { UuidParam } from '../../common/http/params';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../../common/http/answers';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { Public } from '../../common/auth/decorators';
import {
  MethodNotAllowedError,
  MissingError,
  UnsupportedMediaTypeError,
} from '../../common/errors/domain-errors';
import { IngestService } from './ingest.service';
import { bearerOf, sdpBody, SdpExchange, sendAnswer, TRICKLE_FRAGMENT } from './sdp-body';
import { AcceptsBody } from '../../common/http/body-options';

/**
 * WHIP (RFC 9725) ingest. Public at the HTTP level: the bearer token is the
 * stream key, checked by the service. The session URL (Location) is a
 * 122-bit random capability; DELETE on it ends the stream.
 */
@ApiTags('media')
@Controller('whip')
export class WhipController {
  constructor(private readonly ingest: IngestService) {}

  @Public()
  @Post(':streamId')
  @SdpExchange('SDP offer (sendonly audio/video, BUNDLE, rtcp-mux)')
  @Endpoint('WHIP publish: an SDP offer in, the SDP answer out (RFC 9725)', {
    201: 'SDP answer; Location is the session URL',
    400: 'Not SDP, or SDP missing ICE/DTLS/BUNDLE/rtcp-mux',
    401: 'Wrong or missing stream key',
    406: 'No offered codec is supported',
    409: 'The stream already has a publisher, or has ended',
    415: 'Content-Type is not application/sdp',
    429: 'Too many offers from this address',
  })
  @ApiHeader({ name: 'Authorization', description: 'Bearer <streamKey>', required: true })
  async publish(@UuidParam('streamId') streamId: string, @Req() req: Request, @Res() res: Response) {
    const key = bearerOf(req);
    const offer = sdpBody(req);
    const { sessionId, answer } = await this.ingest.publish(streamId, key, offer, req.ip);
    sendAnswer(res, `/whip/${streamId}/sessions/${sessionId}`, sessionId, answer);
  }

  @Public()
  @Delete(':streamId/sessions/:sessionId')
  @HttpCode(200)
  @Endpoint('WHIP teardown: ends the session and the stream')
  async unpublish(
    @UuidParam('streamId') streamId: string,
    @UuidParam('sessionId') sessionId: string,
  ): Promise<void> {
    await this.ingest.unpublish(streamId, sessionId);
  }

  /**
   * Trickle ICE (RFC 8840 fragments): mediasoup is ICE-lite, so the client's
   * candidates are learnt from its connectivity checks and a trickled
   * fragment needs no action (204). ICE restarts are not supported (405):
   * DELETE the session and POST a new offer.
   */
  @Public()
  @Patch(':streamId/sessions/:sessionId')
  @AcceptsBody(TRICKLE_FRAGMENT)
  @HttpCode(204)
  @Endpoint('Trickle ICE: accepted and ignored (ICE-lite server); ICE restart → 405')
  patch(
    @UuidParam('streamId') streamId: string,
    @UuidParam('sessionId') sessionId: string,
    @Req() req: Request,
  ): void {
    patchSession(this.ingest, 'whip', streamId, sessionId, req);
  }
}

/** A PATCH of a WHIP or WHEP session: a trickled fragment is accepted, an ICE restart is not. */
export function patchSession(
  ingest: IngestService,
  kind: 'whip' | 'whep',
  streamId: string,
  sessionId: string,
  req: Request,
): void {
  if (!ingest.hasSession(streamId, sessionId, kind)) throw new MissingError(`Session ${sessionId} not found`);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/trickle-ice-sdpfrag') {
    throw new UnsupportedMediaTypeError('Content-Type must be application/trickle-ice-sdpfrag');
  }
  const frag = typeof req.body === 'string' ? req.body : '';
  if (/^a=ice-pwd:/m.test(frag)) {
    throw new MethodNotAllowedError('ICE restart is not supported: DELETE the session and POST a new offer');
  }
}
