import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order.model';

/** Most units of one product in one order. */
export const MAX_QUANTITY = 100;
/** Most lines in one order. */
export const MAX_ITEMS = 20;

/** A field a client may send and the server ignores (documented, not validated). */
function Ignored(why: string): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ description: `Ignored: ${why}` }), Allow());
}

export class OrderLineDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'productId must be a UUID' })
  productId!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_QUANTITY, example: 1 })
  @IsInt({ message: 'quantity must be a whole number' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(MAX_QUANTITY, { message: `quantity must be at most ${MAX_QUANTITY}` })
  quantity!: number;

  // Accepted and ignored: the server prices every line. A cart that keeps
  // the product's price, or a line as an order returns it, can be sent as is.
  @Ignored('the server prices every order') priceCents?: unknown;
  @Ignored('the server prices every order') unitPriceCents?: unknown;
  @Ignored('the server applies the flash sale it finds') salePriceCents?: unknown;
  @Ignored('the server computes every total') lineTotalCents?: unknown;
  @Ignored('the currency is the product’s') currency?: unknown;
  @Ignored('the title is the product’s') title?: unknown;
  @Ignored('the server applies the flash sale it finds') sale?: unknown;
}

export class CreateOrderDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The stream the order comes from (flash-sale price, attribution)',
  })
  @IsOptional()
  @IsUUID(undefined, { message: 'streamId must be a UUID' })
  streamId?: string;

  @ApiProperty({ type: [OrderLineDto] })
  @IsArray({ message: 'items must be an array' })
  @ArrayMinSize(1, { message: 'items must contain at least one line' })
  @ArrayMaxSize(MAX_ITEMS, { message: `items must contain at most ${MAX_ITEMS} lines` })
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  items!: OrderLineDto[];

  // Accepted and ignored: totals and the currency come from the server.
  @Ignored('the server computes the total') totalCents?: unknown;
  @Ignored('the currency is the products’') currency?: unknown;
}

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

export class OrderPageDto {
  @ApiProperty({ type: [OrderDto] }) items!: OrderDto[];
  @ApiProperty() total!: number;
}
