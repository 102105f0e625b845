import { Body, Controller, Delete, Get, HttpCode, Post, Res } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
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
@Controller('api/merchant')
export class MerchantController {
  constructor(private readonly links: MerchantLinksService) {}

  @Roles('merchant')
  @Post('invitations')
  @ApiOperation({
    summary: 'Invite a streamer by email; they accept or decline in their studio',
    description:
      'The answer does not depend on whether the email has an account (no account enumeration): an ' +
      'invitation to an email without one is seen when that account is made.',
  })
  @ApiResponse({ status: 201, type: InvitationDto, description: 'Invited' })
  @ApiResponse({
    status: 200,
    type: InvitationDto,
    description: 'Your invitation to this email is still open',
  })
  @ApiResponse({ status: 422, description: 'Your own email' })
  async invite(
    @CurrentUser() user: AuthUser,
    @Body() dto: InviteStreamerDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<InvitationDto> {
    const { invitation, created } = await this.links.invite(user, dto.email);
    res.status(created ? 201 : 200);
    return invitation;
  }

  @Roles('merchant')
  @Get('invitations')
  @ApiOperation({ summary: 'My invitations, newest first: open, accepted, declined and withdrawn' })
  @ApiResponse({ status: 200, type: InvitationListDto })
  async invitations(@CurrentUser() user: AuthUser): Promise<InvitationListDto> {
    return { items: await this.links.invitationsOf(user) };
  }

  @Roles('merchant')
  @Delete('invitations/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw an open invitation' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, description: 'Not one of your invitations' })
  @ApiResponse({ status: 409, description: 'Already answered' })
  revoke(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<void> {
    return this.links.revoke(user, id);
  }

  @Roles('merchant')
  @Get('streamers')
  @ApiOperation({ summary: 'Streamers linked to my shop (they accepted an invitation)' })
  @ApiResponse({ status: 200, type: LinkedStreamersDto })
  async streamers(@CurrentUser() user: AuthUser): Promise<LinkedStreamersDto> {
    return { items: await this.links.streamers(user) };
  }

  @Roles('merchant')
  @Delete('streamers/:streamerId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unlink a streamer (their existing streams keep their shop)' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, description: 'Not linked' })
  unlink(@CurrentUser() user: AuthUser, @UuidParam('streamerId') streamerId: string): Promise<void> {
    return this.links.unlink(user, streamerId);
  }

  // GET api/merchant/orders is served by the orders feature (MerchantOrdersController).
}

@ApiTags('merchant')
@ApiBearerAuth()
@Controller('api/streamer')
export class StreamerLinksController {
  constructor(private readonly links: MerchantLinksService) {}

  @Roles('streamer')
  @Get('merchants')
  @ApiOperation({ summary: 'Shops I am linked to (I may create streams for them)' })
  @ApiResponse({ status: 200, type: LinkedMerchantsDto })
  async merchants(@CurrentUser() user: AuthUser): Promise<LinkedMerchantsDto> {
    return { items: await this.links.merchants(user) };
  }

  @Roles('streamer')
  @Get('invitations')
  @ApiOperation({ summary: 'Open invitations to my email, newest first' })
  @ApiResponse({ status: 200, type: StreamerInvitationListDto })
  async invitations(@CurrentUser() user: AuthUser): Promise<StreamerInvitationListDto> {
    return { items: await this.links.pendingFor(user) };
  }

  @Roles('streamer')
  @Post('invitations/:id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept: I am linked to the shop and may stream for it' })
  @ApiResponse({ status: 200, type: LinkedMerchantDto })
  @ApiResponse({ status: 404, description: 'No open invitation of that id to my email' })
  accept(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<LinkedMerchantDto> {
    return this.links.accept(user, id);
  }

  @Roles('streamer')
  @Post('invitations/:id/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline an invitation' })
  @ApiResponse({ status: 200, type: DeclinedDto })
  @ApiResponse({ status: 404, description: 'No open invitation of that id to my email' })
  decline(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<DeclinedDto> {
    return this.links.decline(user, id);
  }
}
