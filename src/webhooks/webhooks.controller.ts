import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import { CurrentUser, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeliveriesQueryDto,
  DeliveryDto,
  DeliveryPageDto,
  WebhookListDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('merchant')
@ApiBearerAuth()
@Controller('api/merchant/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Roles('merchant')
  @Post()
  @Endpoint('Register a URL for order and stream events; the signing secret is shown once', {
    201: CreatedWebhookDto,
    400: 'Not http(s), a private address, or an unknown event',
  })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    return this.webhooks.register(user, dto.url, dto.events);
  }

  @Roles('merchant', 'admin')
  @Get()
  @Endpoint('My webhooks (admins: all), without their secrets', { 200: WebhookListDto })
  async list(@CurrentUser() user: AuthUser): Promise<WebhookListDto> {
    return { items: await this.webhooks.list(user) };
  }

  @Roles('merchant', 'admin')
  @Delete(':id')
  @HttpCode(204)
  @Endpoint('Remove a webhook and its delivery log')
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.webhooks.remove(user, id);
  }

  @Roles('merchant', 'admin')
  @Post(':id/test')
  @HttpCode(200)
  @Endpoint('Send a signed test event (webhook.test) now, once; answers with how it went', {
    200: DeliveryDto,
  })
  test(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<DeliveryDto> {
    return this.webhooks.test(user, id);
  }

  @Roles('merchant', 'admin')
  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @Endpoint('Try a failed delivery again (a new round of attempts)', {
    202: [DeliveryDto, 'Pending again'],
    409: 'It did not fail (it succeeded, or is still being attempted)',
  })
  retry(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
  ): Promise<DeliveryDto> {
    return this.webhooks.retry(user, id, deliveryId);
  }

  @Roles('merchant', 'admin')
  @Get(':id/deliveries')
  @Endpoint('Deliveries of a webhook, newest first, with status and attempts', { 200: DeliveryPageDto })
  deliveries(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: DeliveriesQueryDto,
  ): Promise<DeliveryPageDto> {
    return this.webhooks.deliveries(user, id, q.limit ?? 50, q.offset ?? 0);
  }
}
