import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { IsIsoDateTime, OptionalField, WholeNumber } from '../../common/validation/fields';
import { MAX_STOCK } from '../../catalog/dto/product.dto';
import { ListOf } from '../../common/http/pagination.dto';

export class CreatePinDto {
  @ApiProperty({ format: 'uuid', description: "A product of the stream's shop" })
  @IsUUID(undefined, { message: 'productId must be a UUID' })
  productId!: string;

  @ApiPropertyOptional({
    description: 'Flash-sale price in minor units; at most the normal price. Makes the pin a sale.',
    example: 39900,
  })
  @OptionalField()
  @WholeNumber(0, 2_000_000_000, 'salePriceCents must be an integer number of minor units')
  salePriceCents?: number;

  @ApiPropertyOptional({
    description: 'Units offered at the sale price (taken from the product stock). Default: the whole stock.',
    minimum: 1,
  })
  @OptionalField()
  @WholeNumber(1, MAX_STOCK)
  saleStock?: number;

  @ApiPropertyOptional({ description: 'ISO time the sale ends (in the future). Default: when unpinned.' })
  @OptionalField()
  @IsIsoDateTime({ message: 'endsAt must be an ISO 8601 date-time with a zone' })
  endsAt?: string;

  @ApiPropertyOptional({ description: 'Units one buyer may order through this pin. Default 1 for a sale.' })
  @OptionalField()
  @WholeNumber(1, 10_000)
  perBuyerLimit?: number;
}

/** A pinned product as viewers see it (PinView in the room protocol). */
export class PinViewDto {
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
}

export class PinDto extends PinViewDto {
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

export class PinHistoryDto extends ListOf(PinDto) {}

export class OfferDto {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ description: "The product's description, plain text" }) description!: string;
  @ApiProperty({ description: 'No shipping address will be needed' }) digital!: boolean;
  @ApiProperty() currency!: string;
  @ApiProperty({ description: 'What a unit costs now: the sale price while the sale runs, else the price' })
  unitPriceCents!: number;
  @ApiProperty() onSale!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The sale’s end while it runs (re-read then)' })
  saleEndsAt!: string | null;
  @ApiProperty({ description: 'Units left: of the sale while it runs, else of the product' })
  remaining!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Units one buyer may hold through the pin now' })
  perBuyerLimit!: number | null;
  @ApiProperty({ description: 'Units you already hold through the pin (unpaid, paid or shipped orders)' })
  boughtUnits!: number;
  @ApiProperty({ description: 'The most you can order now (bound your quantity control by it); 0: none' })
  maxQuantity!: number;
}

export class CurrentPinDto {
  @ApiProperty({ type: PinViewDto, nullable: true, description: 'The pin as viewers see it' })
  pin!: PinViewDto | null;
  @ApiProperty({ type: OfferDto, nullable: true }) offer!: OfferDto | null;
}
