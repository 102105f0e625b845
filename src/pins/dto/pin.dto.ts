import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { IsIsoDateTime, OptionalField } from '../../common/validation/fields';
import { MAX_STOCK } from '../../catalog/dto/product.dto';

export class CreatePinDto {
  @ApiProperty({ format: 'uuid', description: "A product of the stream's shop" })
  @IsUUID(undefined, { message: 'productId must be a UUID' })
  productId!: string;

  @ApiPropertyOptional({
    description: 'Flash-sale price in minor units; at most the normal price. Makes the pin a sale.',
    example: 39900,
  })
  @OptionalField()
  @IsInt({ message: 'salePriceCents must be an integer number of minor units' })
  @Min(0, { message: 'salePriceCents must not be negative' })
  @Max(2_000_000_000)
  salePriceCents?: number;

  @ApiPropertyOptional({
    description: 'Units offered at the sale price (taken from the product stock). Default: the whole stock.',
    minimum: 1,
  })
  @OptionalField()
  @IsInt({ message: 'saleStock must be a whole number' })
  @Min(1, { message: 'saleStock must be at least 1' })
  @Max(MAX_STOCK)
  saleStock?: number;

  @ApiPropertyOptional({ description: 'ISO time the sale ends (in the future). Default: when unpinned.' })
  @OptionalField()
  @IsIsoDateTime({ message: 'endsAt must be an ISO 8601 date-time with a zone' })
  endsAt?: string;

  @ApiPropertyOptional({ description: 'Units one buyer may order through this pin. Default 1 for a sale.' })
  @OptionalField()
  @IsInt({ message: 'perBuyerLimit must be a whole number' })
  @Min(1, { message: 'perBuyerLimit must be at least 1' })
  @Max(10_000)
  perBuyerLimit?: number;
}

export class PinDto {
  @ApiProperty({ format: 'uuid' }) pinId!: string;
  @ApiProperty({ format: 'uuid' }) streamId!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String }) imageUrl!: string | null;
  @ApiProperty() currency!: string;
  @ApiProperty() priceCents!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Set while the flash sale runs' })
  salePriceCents!: number | null;
  @ApiProperty({ description: 'Units left: of the sale while it runs, else of the product' })
  remaining!: number;
  @ApiProperty({ nullable: true, type: Number }) saleStock!: number | null;
  @ApiProperty({ nullable: true, type: Number }) perBuyerLimit!: number | null;
  @ApiProperty({ nullable: true, type: String }) endsAt!: string | null;
  @ApiProperty() pinnedAt!: string;
  @ApiProperty({ nullable: true, type: String }) unpinnedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Sale price, shown in the history even after it',
  })
  configuredSalePriceCents!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Chapter start: ms since the stream started (null if it had not started)',
  })
  startOffsetMs!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Chapter end, ms since the stream started' })
  endOffsetMs!: number | null;
}

export class PinHistoryDto {
  @ApiProperty({ type: [PinDto] }) items!: PinDto[];
}
