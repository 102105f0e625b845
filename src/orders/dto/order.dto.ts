import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order.model';

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
