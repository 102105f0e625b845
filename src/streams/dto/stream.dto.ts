import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination.dto';
import { OptionalField } from '../../common/validation/fields';
import { toPlainLine } from '../../common/validation/text';
import { STREAM_STATES, type StreamState } from '../../room/protocol';

const SHOP_CHOICE = 'Choose one of your shops from the list.';

export class CreateStreamDto {
  @ApiProperty({ example: 'Friday phone drop', maxLength: 140 })
  @Transform(toPlainLine)
  @IsString()
  @MinLength(1)
  @MaxLength(140)
  title!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'The shop whose products this stream sells: one of GET /api/streamer/merchants (a shop whose invitation ' +
      'you accepted), or your own shop if you are its merchant',
  })
  @OptionalField()
  @IsUUID(undefined, { message: SHOP_CHOICE })
  merchantId?: string;
}

export class UpdateStreamDto {
  @ApiPropertyOptional({ example: 'Friday phone drop', maxLength: 140 })
  @ValidateIf((o: UpdateStreamDto) => o.title !== undefined)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(140)
  title?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'Attach or change the shop (as in POST), only before the stream goes live; `null` detaches it. ' +
      'Absent: unchanged.',
  })
  @IsOptional()
  @IsUUID(undefined, { message: SHOP_CHOICE })
  merchantId?: string | null;
}

export class ListStreamsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: STREAM_STATES,
    description: '`live` includes streams that are reconnecting; `reconnecting` lists only those',
  })
  @IsOptional()
  @IsIn(STREAM_STATES)
  status?: StreamState;

  @ApiPropertyOptional({
    description: "1: only the signed-in streamer's own streams (needs a token)",
    enum: ['1'],
  })
  @IsOptional()
  @IsIn(['1', 'true'])
  mine?: string;

  @ApiPropertyOptional({
    description: '1: only ended streams with a replay, the most recently ended first (the replays list)',
    enum: ['1'],
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === '1' || value === 'true' ? true : value))
  @IsIn([true], { message: 'The replay filter must be 1.' })
  replay?: boolean;
}

export class StreamDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({
    enum: STREAM_STATES,
    description: '`reconnecting`: live, but its publisher is gone and may come back until `reconnectUntil`',
  })
  status!: StreamState;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'While reconnecting: when it ends unless the publisher is back',
  })
  reconnectUntil!: string | null;
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) merchantId!: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'The shop it sells for: `{ id, name }`' })
  shop!: { id: string; name: string } | null;
  @ApiProperty({ description: 'WHIP ingest endpoint (RFC 9725)' }) whipUrl!: string;
  @ApiProperty({ description: 'WHEP playback endpoint' }) whepUrl!: string;
  @ApiProperty({ description: 'HLS master playlist; once ended with a replay, the same URL plays it' })
  hlsUrl!: string;
  @ApiProperty({ description: 'Ended, with its recording kept: hlsUrl plays the replay (with seeking)' })
  replayAvailable!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'A thumbnail (JPEG) while live and for a replay; may be 404 before the first frame',
  })
  posterUrl!: string | null;
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
