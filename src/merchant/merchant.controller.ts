import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import {
  LinkedMerchantsDto,
  LinkedStreamerDto,
  LinkedStreamersDto,
  LinkStreamerDto,
} from './dto/merchant.dto';
import { MerchantLinksService } from './merchant-links.service';

@ApiTags('merchant')
@ApiBearerAuth()
@Controller('api/merchant')
export class MerchantController {
  constructor(private readonly links: MerchantLinksService) {}

  @Roles('merchant')
  @Post('streamers')
  @ApiOperation({ summary: 'Link a streamer to my shop: their streams may then sell my products' })
  @ApiResponse({ status: 201, type: LinkedStreamerDto })
  @ApiResponse({ status: 200, type: LinkedStreamerDto, description: 'Already linked' })
  @ApiResponse({ status: 422, description: 'Unknown user, or not a streamer' })
  async link(
    @CurrentUser() user: AuthUser,
    @Body() dto: LinkStreamerDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<LinkedStreamerDto> {
    const { link, created } = await this.links.link(user, dto);
    res.status(created ? 201 : 200);
    return link;
  }

  @Roles('merchant')
  @Get('streamers')
  @ApiOperation({ summary: 'Streamers linked to my shop' })
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
  unlink(
    @CurrentUser() user: AuthUser,
    @Param('streamerId', new ParseUUIDPipe()) streamerId: string,
  ): Promise<void> {
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
}
