import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  Max,
  Min,
  IsOptional,
  IsUrl,
  IsUUID,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AddressInputDto } from '../../profile/dto/address.dto';
import { MAX_MINOR_UNITS } from '../../common/money/currencies';
import { MAX_ITEMS, MAX_QUANTITY } from './create-order.schema';
import { PageOf, PageQueryDto } from '../../common/http/pagination.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order.model';
import { PostalAddressDto } from '../../profile/dto/address.dto';
import { TextField } from '../../common/validation/fields';

export class ListMyOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only my orders (the default for everyone but admins)', enum: ['1'] })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === '1' || value === 'true' || value === true ? true : value,
  )
  @IsIn([true], { message: 'mine must be 1' })
  mine?: boolean;

  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

export class MerchantOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID(undefined, { message: 'streamId must be a UUID' })
  streamId?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `status must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: OrderStatus;
}

export class OrderItemDto {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty() unitPriceCents!: number;
  @ApiProperty() lineTotalCents!: number;
  @ApiProperty({ description: 'Sold at the flash-sale price' }) sale!: boolean;
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({ format: 'uuid' }) buyerId!: string;
  @ApiProperty({ format: 'uuid' }) merchantId!: string;
  @ApiProperty({ type: [OrderItemDto] }) items!: OrderItemDto[];
  @ApiProperty() totalCents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) streamId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) pinId!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'ms since the stream started' })
  streamOffsetMs!: number | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'An unpaid order expires then and its units return to stock' })
  expiresAt!: string;
  @ApiProperty({ nullable: true, type: String }) paidAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) fulfilledAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When it expired, was cancelled or refunded' })
  closedAt!: string | null;
}

export class FulfilmentDto {
  @ApiProperty({ nullable: true, type: String }) carrier!: string | null;
  @ApiProperty({ nullable: true, type: String }) trackingNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) trackingUrl!: string | null;
  @ApiProperty() fulfilledAt!: string;
}

export class BuyerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The contact the shop writes to' }) email!: string;
}

export class OrderViewItemDto extends OrderItemDto {
  @ApiProperty({ description: 'Delivered without shipping' }) digital!: boolean;
}

/** An order as its buyer, its shop and admins read it. */
export class OrderViewDto extends OrderDto {
  @ApiProperty({ type: [OrderViewItemDto] }) declare items: OrderViewItemDto[];
  @ApiProperty({ type: BuyerDto }) buyer!: BuyerDto;
  @ApiProperty({ description: 'Some item is physical: a shipping address is needed before paying' })
  needsShipping!: boolean;
  @ApiProperty({ type: PostalAddressDto, nullable: true, description: 'A copy of the address it ships to' })
  shipping!: PostalAddressDto | null;
  @ApiProperty({ type: FulfilmentDto, nullable: true }) fulfilment!: FulfilmentDto | null;
  @ApiProperty({ description: 'Money given back so far, in minor units' }) refundedCents!: number;
}

export class RefundDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() amountCents!: number;
  @ApiProperty({ description: 'The refund that moved the order to refunded and returned its units' })
  full!: boolean;
  @ApiProperty() createdAt!: string;
}

export class PaymentSummaryDto {
  @ApiProperty({ example: 'simulated' }) provider!: string;
  @ApiProperty({ enum: ['open', 'succeeded', 'failed', 'cancelled', 'refunded', 'refund_due'] })
  status!: string;
  @ApiProperty() amountCents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export const TIMELINE_EVENTS = [
  'placed',
  'shipping_added',
  'payment_started',
  'payment_failed',
  'payment_cancelled',
  'paid',
  'fulfilled',
  'refunded',
  'expired',
  'cancelled',
] as const;

export class TimelineEntryDto {
  @ApiProperty() at!: string;
  @ApiProperty({ enum: TIMELINE_EVENTS }) event!: (typeof TIMELINE_EVENTS)[number];
  @ApiProperty({ description: 'What happened, in a sentence' }) text!: string;
}

/** One order with its payments and what happened to it, oldest first. */
export class OrderDetailDto extends OrderViewDto {
  @ApiProperty({ type: [PaymentSummaryDto] }) payments!: PaymentSummaryDto[];
  @ApiProperty({ type: [RefundDto] }) refunds!: RefundDto[];
  @ApiProperty({ type: [TimelineEntryDto] }) timeline!: TimelineEntryDto[];
}

export class OrderPageDto extends PageOf(OrderViewDto) {}

/** Where an unpaid order ships: a saved address, or one entered now (optionally saved too). */
export class SetShippingDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One of GET /api/me/addresses' })
  @IsOptional()
  @IsUUID(undefined, { message: 'Choose one of your saved addresses.' })
  addressId?: string;

  @ApiPropertyOptional({ type: AddressInputDto, description: 'An address entered at checkout' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressInputDto)
  address?: AddressInputDto;

  @ApiPropertyOptional({ description: 'Also save the entered address to my profile', default: false })
  @IsOptional()
  @IsBoolean()
  save?: boolean;
}

export class RefundOrderDto {
  @ApiPropertyOptional({
    description:
      'Minor units to give back (at most what is left to refund). Absent: all that is left, which on an ' +
      'order not yet shipped also returns its units to stock.',
    minimum: 1,
    example: 500,
  })
  // Absent means "all that is left"; null is refused rather than read as that.
  @ValidateIf((o: RefundOrderDto) => o.amountCents !== undefined)
  @IsInt({ message: 'amountCents must be an integer number of minor units' })
  @Min(1, { message: 'The refund amount must be at least 1 (in minor units).' })
  @Max(MAX_MINOR_UNITS * MAX_ITEMS * MAX_QUANTITY)
  amountCents?: number;
}

export class FulfilOrderDto {
  @TextField({ optional: true, maxLength: 100, empty: 'Enter the carrier, or leave it out.', example: 'DHL' })
  carrier?: string;

  @TextField({
    optional: true,
    maxLength: 100,
    empty: 'Enter the tracking number, or leave it out.',
    example: 'JD014600006281234567',
  })
  trackingNumber?: string;

  @ApiPropertyOptional({ example: 'https://track.example.com/JD014600006281234567', maxLength: 2000 })
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'Enter the tracking link as a web address starting with https://.' },
  )
  @MaxLength(2000)
  trackingUrl?: string;
}
