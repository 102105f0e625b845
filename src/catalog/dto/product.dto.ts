import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
  IsUUID,
} from 'class-validator';
import { CURRENCY_CODES, MAX_MINOR_UNITS } from '../../common/money/currencies';
import { ListOf, PageOf, PageQueryDto } from '../../common/http/pagination.dto';
import { OptionalField, WholeNumber } from '../../common/validation/fields';
import { toPlainLine, trimmed } from '../../common/validation/text';

/** Largest stock accepted for one product. */
export const MAX_STOCK = 10_000_000;

export class CreateProductDto {
  @ApiProperty({ example: 'Aurora X phone', maxLength: 200 })
  @Transform(toPlainLine)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({
    maxLength: 5000,
    nullable: true,
    description: 'Plain text shown on the product page and at checkout (null clears it)',
  })
  @OptionalField({ nullable: true })
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiPropertyOptional({
    example: 'https://example.com/phone.jpg',
    nullable: true,
    description: 'null removes the image',
  })
  @OptionalField({ nullable: true })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'imageUrl must be an http(s) URL' },
  )
  @MaxLength(2000)
  imageUrl?: string;

  @ApiProperty({
    description:
      "Price as an integer in the currency's minor unit (ISO 4217 exponent: USD 2500 = $25.00, JPY 2500 = " +
      '¥2,500); see src/common/money/currencies.ts',
    example: 49900,
  })
  @IsInt({ message: 'priceCents must be an integer number of minor units' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  priceCents!: number;

  @ApiProperty({ description: 'ISO 4217 currency code', example: 'USD', enum: CURRENCY_CODES })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @IsIn(CURRENCY_CODES, {
    message: 'Choose a currency from the list (ISO 4217 codes such as USD, EUR or JPY).',
  })
  currency!: string;

  @ApiProperty({ minimum: 0, example: 100 })
  @WholeNumber(0, MAX_STOCK)
  stock!: number;

  @ApiPropertyOptional({ maxLength: 64, nullable: true, description: 'null removes the SKU' })
  @OptionalField({ nullable: true })
  @Transform(trimmed)
  @IsString()
  @MaxLength(64)
  sku?: string;

  @ApiPropertyOptional({
    description: 'Delivered without shipping (a download, a voucher): orders of it need no address',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  digital?: boolean;
}

// skipNullProperties: false: a `null` is checked (and refused) like any value, see OptionalField.
export class UpdateProductDto extends PartialType(CreateProductDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({
    description:
      'Adds to (or, negative, takes from) the stock atomically, whatever orders do meanwhile: ' +
      'use it to restock during a sale. `stock` sets an absolute number instead; not both.',
    example: 50,
  })
  @OptionalField()
  @IsInt({ message: 'stockDelta must be a whole number' })
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  stockDelta?: number;
}

export class ListProductsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  merchantId?: string;
}

export class ProductImageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'JPEG, at most 1200 px on its longer side; cached forever' }) url!: string;
  @ApiProperty({ description: 'JPEG, at most 400 px on its longer side; cached forever' })
  thumbnailUrl!: string;
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
}

export class ProductDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) merchantId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The main picture: a URL the merchant gave, or else the first uploaded picture',
  })
  imageUrl!: string | null;
  @ApiProperty({ type: [ProductImageDto], description: 'Uploaded pictures, in order' })
  images!: ProductImageDto[];
  @ApiProperty({ description: "Integer, in the currency's minor unit" }) priceCents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ description: 'Decimal places of the currency (ISO 4217): 2 for USD, 0 for JPY' })
  currencyDecimals!: number;
  @ApiProperty() stock!: number;
  @ApiProperty({ nullable: true, type: String }) sku!: string | null;
  @ApiProperty({ description: 'No shipping address is needed for it' }) digital!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ShownInDto {
  @ApiProperty({ format: 'uuid' }) streamId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['created', 'live', 'ended'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ description: 'Times the product was pinned in that stream' }) pins!: number;
  @ApiProperty() firstPinnedAt!: string;
  @ApiProperty() lastPinnedAt!: string;
}

export class ShownInListDto extends ListOf(ShownInDto) {}

export class ProductPageDto extends PageOf(ProductDto) {}
