import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { CreatePinDto, CurrentPinDto, PinDto, PinHistoryDto } from './dto/pin.dto';
import { PinsService } from './pins.service';

@ApiTags('pins')
@Controller('api/streams/:id/pins')
export class PinsController {
  constructor(private readonly pins: PinsService) {}

  @Roles('streamer', 'merchant')
  @Post()
  @ApiBearerAuth()
  @Endpoint(
    'Pin a product (stream owner or its merchant); the previous pin ends. Sale fields make it a flash sale.',
    {
      201: PinDto,
      403: "Not the stream's streamer or merchant",
      422: "Unknown product, or not the shop's",
    },
  )
  pin(@CurrentUser() user: AuthUser, @UuidParam() id: string, @Body() dto: CreatePinDto): Promise<PinDto> {
    return this.pins.pin(user, id, dto);
  }

  @Roles('streamer', 'merchant')
  @Delete(':pinId')
  @HttpCode(200)
  @ApiBearerAuth()
  @Endpoint('Unpin (stream owner or its merchant); unpinning twice is harmless', { 200: PinDto })
  unpin(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @UuidParam('pinId') pinId: string,
  ): Promise<PinDto> {
    return this.pins.unpin(user, id, pinId);
  }

  @Public()
  @Get('current')
  @Endpoint(
    {
      summary: 'The pinned product now and what you can buy of it: price, sale, units left, your limit',
      description:
        'For the checkout: read when it opens and again on product:pinned, product:unpinned, stock, and at the ' +
        'sale’s end. Signed in, `boughtUnits` and `maxQuantity` are yours; anonymous, as for a new buyer.',
    },
    { 200: CurrentPinDto },
  )
  current(@UuidParam() id: string, @CurrentUser() user?: AuthUser): Promise<CurrentPinDto> {
    return this.pins.offer(id, user);
  }

  @Public()
  @Get()
  @Endpoint("The stream's pin history: its chapters, oldest first", { 200: PinHistoryDto })
  async history(@UuidParam() id: string): Promise<PinHistoryDto> {
    return { items: await this.pins.history(id) };
  }
}
