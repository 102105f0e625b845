import { Module } from '@nestjs/common';
import { ProfileModule } from '../profile/profile.module';
import { MerchantOrdersController } from './merchant-orders.controller';
import { OrderExpiryProcessor } from './order-expiry.processor';
import { OrderExpiryService } from './order-expiry.service';
import { OrderMetrics } from './order-metrics';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { ReservationEngine } from './reservation-engine';
import { ReservationRepository } from './reservation.repository';

@Module({
  imports: [ProfileModule],
  controllers: [OrdersController, MerchantOrdersController],
  providers: [
    OrdersRepository,
    ReservationRepository,
    ReservationEngine,
    OrderMetrics,
    OrderExpiryService,
    OrderExpiryProcessor,
    OrdersService,
  ],
  exports: [OrdersService, OrdersRepository, OrderMetrics],
})
export class OrdersModule {}
