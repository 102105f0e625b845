import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { COUNTRY_CODES } from '../../common/geo/countries';
import { ListOf } from '../../common/http/pagination.dto';
import { TextField } from '../../common/validation/fields';

/** Optional text: absent or null leaves it unset; empty after trimming also unsets it. */
const optionalText = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? null : t;
};

/** A shipping address as a person enters it (a buyer's saved address, or one given at checkout). */
export class AddressInputDto {
  @TextField({
    maxLength: 120,
    empty: 'Enter the name of the person who receives the parcel.',
    description: 'Who receives the parcel',
    example: 'Ana Lima',
  })
  name!: string;

  @TextField({ maxLength: 200, empty: 'Enter the street address.', example: '12 Harbour Road' })
  line1!: string;

  @ApiPropertyOptional({ example: 'Flat 3', maxLength: 200, nullable: true, type: String })
  @IsOptional()
  @Transform(optionalText)
  @IsString()
  @MaxLength(200)
  line2?: string | null;

  @TextField({ maxLength: 100, empty: 'Enter the city.', example: 'Porto' })
  city!: string;

  @ApiPropertyOptional({
    description: 'State, province or county',
    maxLength: 100,
    nullable: true,
    type: String,
  })
  @IsOptional()
  @Transform(optionalText)
  @IsString()
  @MaxLength(100)
  region?: string | null;

  @ApiPropertyOptional({ example: '4000-123', maxLength: 20, nullable: true, type: String })
  @IsOptional()
  @Transform(optionalText)
  @IsString()
  @MaxLength(20)
  postalCode?: string | null;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2 code (src/common/geo/countries.ts)', example: 'PT' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @IsIn(COUNTRY_CODES, { message: 'Choose the country from the list.' })
  country!: string;

  @ApiPropertyOptional({
    description: 'For the carrier; digits, spaces and + ( ) - .',
    example: '+351 912 345 678',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @Transform(optionalText)
  @IsString()
  @Matches(/^[0-9+()\-. ]{3,40}$/, {
    message: 'Enter the phone number with digits, spaces and + ( ) - only (at most 40).',
  })
  phone?: string | null;
}

export class CreateAddressDto extends AddressInputDto {
  @ApiPropertyOptional({ description: 'Use it by default at checkout (the first address is the default)' })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

export class UpdateAddressDto extends PartialType(CreateAddressDto) {}

/** An address as stored: a saved one, or the copy an order keeps of the one it ships to. */
export class PostalAddressDto {
  @ApiProperty() name!: string;
  @ApiProperty() line1!: string;
  @ApiProperty({ nullable: true, type: String }) line2!: string | null;
  @ApiProperty() city!: string;
  @ApiProperty({ nullable: true, type: String }) region!: string | null;
  @ApiProperty({ nullable: true, type: String }) postalCode!: string | null;
  @ApiProperty({ description: 'ISO 3166-1 alpha-2' }) country!: string;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
}

export class AddressDto extends PostalAddressDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() isDefault!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class AddressListDto extends ListOf(AddressDto) {}

export class ProfileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The contact the shop sees on your orders' }) email!: string;
  @ApiProperty({ type: [AddressDto] }) addresses!: AddressDto[];
}
