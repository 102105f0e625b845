import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsUUID, MaxLength } from 'class-validator';
import { OptionalField } from '../../common/validation/fields';

export class LinkStreamerDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The streamer to link (or give email)' })
  @OptionalField()
  @IsUUID(undefined, { message: 'streamerId must be a UUID' })
  streamerId?: string;

  @ApiPropertyOptional({ description: "The streamer's account email (or give streamerId)" })
  @OptionalField()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email?: string;
}

export class LinkedStreamerDto {
  @ApiProperty({ format: 'uuid' }) streamerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() linkedAt!: string;
}

export class LinkedStreamersDto {
  @ApiProperty({ type: [LinkedStreamerDto] }) items!: LinkedStreamerDto[];
}

export class LinkedMerchantDto {
  @ApiProperty({ format: 'uuid' }) merchantId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() linkedAt!: string;
}

export class LinkedMerchantsDto {
  @ApiProperty({ type: [LinkedMerchantDto] }) items!: LinkedMerchantDto[];
}
