import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WebhookDeliveryProcessor } from '../../workers/webhook-delivery.processor';
import { Sql } from '../orders/sql';
import { webhooksConfigProvider } from './webhooks.config';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Merchant webhooks: registration, signed deliveries with retries, the delivery log. */
@Module({
  controllers: [WebhooksController],
  providers: [
    { provide: Sql, inject: [DataSource], useFactory: Sql.fromDataSource },
    webhooksConfigProvider,
    WebhooksRepository,
    WebhooksService,
    WebhookDeliveryProcessor,
  ],
  exports: [WebhooksService],
})
export class WebhooksModule {}
