import { Module } from '@nestjs/common';
import { MerchantOrdersController } from './merchant-orders.controller';
import { OrderExpiryProcessor } from './order-expiry.processor';
import { OrderExpiryService } from './order-expiry.service';
import { OrderMetrics } from './order-metrics';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

@Module({
  controllers: [OrdersController, MerchantOrdersController],
  providers: [OrdersRepository, OrderMetrics, OrderExpiryService, OrderExpiryProcessor, OrdersService],
  exports: [OrdersService, OrdersRepository, OrderMetrics],
})
export class OrdersModule {}
