import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { OptionalField } from '../../common/validation/fields';

export class CheckoutDto {
  @ApiProperty({ example: 'simulated' }) provider!: string;
  @ApiProperty() sessionId!: string;
  @ApiProperty({ description: "The provider's hosted checkout page" }) checkoutUrl!: string;
  @ApiProperty({ description: 'Pay before this or the order expires' }) expiresAt!: string;
  @ApiProperty({ description: 'Where the buyer comes back to after paying: the order in "My orders"' })
  returnUrl!: string;
}

export class WebhookResultDto {
  @ApiProperty() received!: boolean;
  @ApiProperty({ description: 'The event was applied before; nothing changed' }) duplicate!: boolean;
}

export class SimulatedSessionDto {
  @ApiProperty() sessionId!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty() amountCents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ enum: ['open', 'succeeded', 'failed', 'cancelled', 'refunded', 'refund_due'] })
  paymentStatus!: string;
  @ApiProperty({ description: 'Where the buyer goes back to: the order in "My orders"' }) returnUrl!: string;
  @ApiProperty() orderStatus!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) items!: { title: string; quantity: number }[];
}

export class SimulatedPayDto {
  @ApiPropertyOptional({
    enum: ['succeed', 'fail', 'cancel'],
    default: 'succeed',
    description: 'succeed: pay; fail: the card is declined; cancel: the buyer leaves the checkout',
  })
  @OptionalField()
  @IsIn(['succeed', 'fail', 'cancel'], { message: 'The outcome must be succeed, fail or cancel.' })
  outcome?: 'succeed' | 'fail' | 'cancel';
}

export class SimulatedPayResultDto {
  @ApiProperty({ description: 'HTTP status the webhook answered' }) webhookStatus!: number;
  @ApiProperty() orderStatus!: string;
  @ApiProperty() paymentStatus!: string;
  @ApiProperty() returnUrl!: string;
}
