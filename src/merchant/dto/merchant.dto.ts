import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { ListOf } from '../../common/http/pagination.dto';

export class InviteStreamerDto {
  @ApiProperty({
    description:
      "The streamer's email. The answer is the same whether or not it belongs to an account; an invitation to " +
      'an email without one is seen when that account is made.',
    example: 'ana@example.com',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsString()
  @MaxLength(320, { message: 'An email address is at most 320 characters long.' })
  @IsEmail({}, { message: 'Enter the email address of the streamer you want to invite.' })
  email!: string;
}

export class InvitationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'declined', 'revoked'] }) status!: string;
  @ApiProperty({
    nullable: true,
    type: Object,
    description: 'Who answered (once accepted or declined): `{ id, name }`',
  })
  streamer!: { id: string; name: string } | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) respondedAt!: string | null;
}

export class InvitationListDto extends ListOf(InvitationDto) {}

export class StreamerInvitationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The shop that invites you: `{ id, name }`', type: Object })
  merchant!: { id: string; name: string };
  @ApiProperty() createdAt!: string;
}

export class StreamerInvitationListDto extends ListOf(StreamerInvitationDto) {}

export class LinkedStreamerDto {
  @ApiProperty({ format: 'uuid' }) streamerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() linkedAt!: string;
}

export class LinkedStreamersDto extends ListOf(LinkedStreamerDto) {}

export class LinkedMerchantDto {
  @ApiProperty({ format: 'uuid' }) merchantId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() linkedAt!: string;
}

export class LinkedMerchantsDto extends ListOf(LinkedMerchantDto) {}

export class DeclinedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['declined'] }) status!: 'declined';
}
