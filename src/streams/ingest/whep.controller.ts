import { Controller, Delete, HttpCode, Patch, Post, Req, Res } from '@nestjs/common';
import { UuidParam } from '../../common/http/params';
import { ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../../common/http/answers';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { Public } from '../../common/auth/decorators';
import { IngestService } from './ingest.service';
import { sdpBody, SdpExchange, sendAnswer, TRICKLE_FRAGMENT } from './sdp-body';
import { patchSession } from './whip.controller';
import { AcceptsBody } from '../../common/http/body-options';

/** WHEP playback: anyone may watch a live stream over WebRTC. */
@ApiTags('media')
@Controller('whep')
export class WhepController {
  constructor(private readonly ingest: IngestService) {}

  @Public()
  @Post(':streamId')
  @SdpExchange('SDP offer (recvonly audio/video)')
  @Endpoint('WHEP play: a recvonly SDP offer in, the SDP answer out', {
    201: 'SDP answer; Location is the session URL',
    404: 'Stream not found or not live',
    406: 'The viewer offered none of the codecs the stream is sent in',
  })
  async play(@UuidParam('streamId') streamId: string, @Req() req: Request, @Res() res: Response) {
    const { sessionId, answer } = await this.ingest.view(streamId, sdpBody(req), req.ip);
    sendAnswer(res, `/whep/${streamId}/sessions/${sessionId}`, sessionId, answer);
  }

  @Public()
  @Delete(':streamId/sessions/:sessionId')
  @HttpCode(200)
  stop(@UuidParam('streamId') streamId: string, @UuidParam('sessionId') sessionId: string): void {
    this.ingest.stopViewing(streamId, sessionId);
  }

  @Public()
  @Patch(':streamId/sessions/:sessionId')
  @AcceptsBody(TRICKLE_FRAGMENT)
  @HttpCode(204)
  patch(
    @UuidParam('streamId') streamId: string,
    @UuidParam('sessionId') sessionId: string,
    @Req() req: Request,
  ): void {
    patchSession(this.ingest, 'whep', streamId, sessionId, req);
  }
}
