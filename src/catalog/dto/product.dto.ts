import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  IsUUID,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination.dto';
import { OptionalField } from '../../common/validation/fields';
import { toPlainLine } from '../../common/validation/text';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Largest stock accepted for one product. */
export const MAX_STOCK = 10_000_000;

export class CreateProductDto {
  @ApiProperty({ example: 'Aurora X phone', maxLength: 200 })
  @Transform(toPlainLine)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @OptionalField()
  @IsString()
  @MaxLength(5000)
  description?: string;

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

  @ApiProperty({ description: 'Price in minor units (cents)', example: 49900 })
  @IsInt({ message: 'priceCents must be an integer number of minor units' })
  @Min(0)
  @Max(2_000_000_000)
  priceCents!: number;

  @ApiProperty({ description: 'ISO 4217 currency code', example: 'USD' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be a 3-letter ISO 4217 code' })
  currency!: string;

  @ApiProperty({ minimum: 0, example: 100 })
  @IsInt({ message: 'stock must be a whole number' })
  @Min(0, { message: 'stock must not be negative' })
  @Max(MAX_STOCK)
  stock!: number;

  @ApiPropertyOptional({ maxLength: 64, nullable: true, description: 'null removes the SKU' })
  @OptionalField({ nullable: true })
  @Transform(trim)
  @IsString()
  @MaxLength(64)
  sku?: string;
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

export class ProductDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) merchantId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ nullable: true, type: String }) imageUrl!: string | null;
  @ApiProperty() priceCents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() stock!: number;
  @ApiProperty({ nullable: true, type: String }) sku!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ProductPageDto {
  @ApiProperty({ type: [ProductDto] }) items!: ProductDto[];
  @ApiProperty() total!: number;
}
