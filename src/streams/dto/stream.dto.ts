import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination.dto';
import { OptionalField } from '../../common/validation/fields';
import { toPlainLine } from '../../common/validation/text';
import { STREAM_STATUSES, type StreamStatus } from '../../room/protocol';

export class CreateStreamDto {
  @ApiProperty({ example: 'Friday phone drop', maxLength: 140 })
  @Transform(toPlainLine)
  @IsString()
  @MinLength(1)
  @MaxLength(140)
  title!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The shop whose products this stream sells' })
  @OptionalField()
  @IsUUID()
  merchantId?: string;
}

export class ListStreamsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STREAM_STATUSES })
  @IsOptional()
  @IsIn(STREAM_STATUSES)
  status?: StreamStatus;

  @ApiPropertyOptional({
    description: "1: only the signed-in streamer's own streams (needs a token)",
    enum: ['1'],
  })
  @IsOptional()
  @IsIn(['1', 'true'])
  mine?: string;
}

export class StreamDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: STREAM_STATUSES }) status!: StreamStatus;
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) merchantId!: string | null;
  @ApiProperty({ description: 'WHIP ingest endpoint (RFC 9725)' }) whipUrl!: string;
  @ApiProperty({ description: 'WHEP playback endpoint' }) whepUrl!: string;
  @ApiProperty({ description: 'HLS master playlist' }) hlsUrl!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty() createdAt!: string;
}

/** Returned only to the owner, at creation and key rotation: the key is stored hashed. */
export class StreamWithKeyDto extends StreamDto {
  @ApiProperty({ description: 'Secret: the WHIP bearer token. Shown once.' }) streamKey!: string;
}

export class StreamPageDto {
  @ApiProperty({ type: [StreamDto] }) items!: StreamDto[];
  @ApiProperty() total!: number;
}
