import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { OrdersModule } from '../orders/orders.module';
import { PAYMENT_PROVIDER, PAYMENT_WEBHOOK_SECRET, type PaymentProvider } from './payment-provider';
import { OrderPaymentsController, PaymentsController } from './payments.controller';
import { PaymentsRepository } from './payments.repository';
import { PaymentsService } from './payments.service';
import { SimulatedPaymentProvider } from './simulated.provider';
import { resolveWebhookSecret } from './webhook-secret';

@Module({
  imports: [OrdersModule],
  controllers: [PaymentsController, OrderPaymentsController],
  providers: [
    { provide: PAYMENT_WEBHOOK_SECRET, inject: [APP_CONFIG], useFactory: resolveWebhookSecret },
    {
      // A real provider plugs in here: add its name to PAYMENT_PROVIDER's
      // choices in config.ts and construct it from its own settings.
      provide: PAYMENT_PROVIDER,
      inject: [APP_CONFIG, PAYMENT_WEBHOOK_SECRET],
      useFactory: (c: AppConfig, secret: string): PaymentProvider => {
        switch (c.payments.provider) {
          case 'simulated':
            return new SimulatedPaymentProvider(secret, c.http.publicUrl, c.payments.webhookToleranceSeconds);
        }
      },
    },
    PaymentsRepository,
    PaymentsService,
  ],
})
export class PaymentsModule {}
