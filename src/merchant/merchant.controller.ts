import { Body, Controller, Delete, Get, HttpCode, Post, Res } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import {
  DeclinedDto,
  InvitationDto,
  InvitationListDto,
  InviteStreamerDto,
  LinkedMerchantDto,
  LinkedMerchantsDto,
  LinkedStreamersDto,
  StreamerInvitationListDto,
} from './dto/merchant.dto';
import { MerchantLinksService } from './merchant-links.service';

@ApiTags('merchant')
@ApiBearerAuth()
@Roles('merchant')
@Controller('api/merchant')
export class MerchantController {
  constructor(private readonly links: MerchantLinksService) {}

  @Post('invitations')
  @Endpoint(
    {
      summary: 'Invite a streamer by email; they accept or decline in their studio',
      description:
        'The answer does not depend on whether the email has an account (no account enumeration): an ' +
        'invitation to an email without one is seen when that account is made.',
    },
    {
      201: [InvitationDto, 'Invited'],
      200: [InvitationDto, 'Your invitation to this email is still open'],
      422: 'Your own email',
    },
  )
  async invite(
    @CurrentUser() user: AuthUser,
    @Body() dto: InviteStreamerDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<InvitationDto> {
    const { invitation, created } = await this.links.invite(user, dto.email);
    res.status(created ? 201 : 200);
    return invitation;
  }

  @Get('invitations')
  @Endpoint('My invitations, newest first: open, accepted, declined and withdrawn', {
    200: InvitationListDto,
  })
  async invitations(@CurrentUser() user: AuthUser): Promise<InvitationListDto> {
    return { items: await this.links.invitationsOf(user) };
  }

  @Delete('invitations/:id')
  @HttpCode(204)
  @Endpoint('Withdraw an open invitation', {
    204: null,
    404: 'Not one of your invitations',
    409: 'Already answered',
  })
  revoke(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<void> {
    return this.links.revoke(user, id);
  }

  @Get('streamers')
  @Endpoint('Streamers linked to my shop (they accepted an invitation)', { 200: LinkedStreamersDto })
  async streamers(@CurrentUser() user: AuthUser): Promise<LinkedStreamersDto> {
    return { items: await this.links.streamers(user) };
  }

  @Delete('streamers/:streamerId')
  @HttpCode(204)
  @Endpoint('Unlink a streamer (their existing streams keep their shop)', { 204: null, 404: 'Not linked' })
  unlink(@CurrentUser() user: AuthUser, @UuidParam('streamerId') streamerId: string): Promise<void> {
    return this.links.unlink(user, streamerId);
  }

  // GET api/merchant/orders is served by the orders feature (MerchantOrdersController).
}

@ApiTags('merchant')
@ApiBearerAuth()
@Roles('streamer')
@Controller('api/streamer')
export class StreamerLinksController {
  constructor(private readonly links: MerchantLinksService) {}

  @Get('merchants')
  @Endpoint('Shops I am linked to (I may create streams for them)', { 200: LinkedMerchantsDto })
  async merchants(@CurrentUser() user: AuthUser): Promise<LinkedMerchantsDto> {
    return { items: await this.links.merchants(user) };
  }

  @Get('invitations')
  @Endpoint('Open invitations to my email, newest first', { 200: StreamerInvitationListDto })
  async invitations(@CurrentUser() user: AuthUser): Promise<StreamerInvitationListDto> {
    return { items: await this.links.pendingFor(user) };
  }

  @Post('invitations/:id/accept')
  @HttpCode(200)
  @Endpoint('Accept: I am linked to the shop and may stream for it', {
    200: LinkedMerchantDto,
    404: 'No open invitation of that id to my email',
  })
  accept(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<LinkedMerchantDto> {
    return this.links.accept(user, id);
  }

  @Post('invitations/:id/decline')
  @HttpCode(200)
  @Endpoint('Decline an invitation', { 200: DeclinedDto, 404: 'No open invitation of that id to my email' })
  decline(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<DeclinedDto> {
    return this.links.decline(user, id);
  }
}
