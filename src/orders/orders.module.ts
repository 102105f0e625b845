import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderExpiryProcessor } from '../../workers/order-expiry.processor';
import { OrderExpiryService } from './order-expiry.service';
import { OrderMetrics } from './order-metrics';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { Sql } from './sql';

@Module({
  controllers: [OrdersController],
  providers: [
    { provide: Sql, inject: [DataSource], useFactory: Sql.fromDataSource },
    OrdersRepository,
    OrderMetrics,
    OrderExpiryService,
    OrderExpiryProcessor,
    OrdersService,
  ],
  exports: [OrdersService, OrdersRepository, OrderMetrics, Sql],
})
export class OrdersModule {}
