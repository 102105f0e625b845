import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { OptionalField } from '../../common/validation/fields';

export class CheckoutDto {
  @ApiProperty({ example: 'simulated' }) provider!: string;
  @ApiProperty() sessionId!: string;
  @ApiProperty({ description: "The provider's hosted checkout page" }) checkoutUrl!: string;
  @ApiProperty({ description: 'Pay before this or the order expires' }) expiresAt!: string;
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
  @ApiProperty({ enum: ['open', 'succeeded', 'failed', 'refunded', 'refund_due'] }) paymentStatus!: string;
  @ApiProperty() orderStatus!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) items!: { title: string; quantity: number }[];
}

export class SimulatedPayDto {
  @ApiPropertyOptional({ enum: ['succeed', 'fail'], default: 'succeed' })
  @OptionalField()
  @IsIn(['succeed', 'fail'], { message: 'outcome must be succeed or fail' })
  outcome?: 'succeed' | 'fail';
}

export class SimulatedPayResultDto {
  @ApiProperty({ description: 'HTTP status the webhook answered' }) webhookStatus!: number;
  @ApiProperty() orderStatus!: string;
  @ApiProperty() paymentStatus!: string;
}
