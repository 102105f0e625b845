import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageOf, PageQueryDto } from '../../common/http/pagination.dto';
import { OptionalField } from '../../common/validation/fields';
import { toPlainLine, trimmed } from '../../common/validation/text';
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
  @Transform(trimmed)
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

class IngestVideoDto {
  @ApiProperty({ enum: ['h264'] }) codec!: 'h264';
  @ApiProperty({ example: 'High 4.0' }) profile!: string;
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
  @ApiProperty({ nullable: true, type: Number, description: "From the encoder's SPS" }) fps!: number | null;
}

class IngestAudioDto {
  @ApiProperty({ enum: ['aac'] }) codec!: 'aac';
  @ApiProperty() sampleRate!: number;
  @ApiProperty() channels!: number;
}

class IngestWarningDto {
  @ApiProperty({ enum: ['b_frames', 'pixel_format', 'keyframe_interval'] })
  code!: 'b_frames' | 'pixel_format' | 'keyframe_interval';
  @ApiProperty({ description: 'What is wrong, for people' }) message!: string;
  @ApiProperty({
    description: "The one-line fix in the encoder's settings",
    example: 'Set Max B-frames to 0 in OBS',
  })
  fix!: string;
}

class IngestErrorDto {
  @ApiProperty({ example: 'unsupported_codec' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty() at!: string;
}

/** The RTMP/SRT encoder of a stream, as its owner's studio shows it (see docs/ingest.md). */
export class StreamIngestDto {
  @ApiProperty({
    enum: ['connecting', 'live', 'reconnecting', 'disconnected'],
    description: 'disconnected: no encoder now (refused, gone past the grace, or the stream ended)',
  })
  state!: 'connecting' | 'live' | 'reconnecting' | 'disconnected';
  @ApiProperty({ enum: ['rtmp', 'rtmps', 'srt'] }) protocol!: 'rtmp' | 'rtmps' | 'srt';
  @ApiProperty({ example: '203.0.113.7:51234' }) remoteAddress!: string;
  @ApiProperty() connectedAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: IngestVideoDto, nullable: true }) video!: IngestVideoDto | null;
  @ApiProperty({ type: IngestAudioDto, nullable: true }) audio!: IngestAudioDto | null;
  @ApiProperty({ description: 'The encoder sends B-frames' }) bFrames!: boolean;
  @ApiProperty({
    enum: ['passthrough', 'reencoded'],
    description:
      "WebRTC viewers get the encoder's H.264 itself, or a re-encode (B-frames); HLS always copies it",
  })
  webrtcVideo!: 'passthrough' | 'reencoded';
  @ApiProperty() bitrateKbps!: number;
  @ApiProperty() fps!: number;
  @ApiProperty({ description: 'Video frames the server dropped, plus packets SRT gave up on' })
  droppedFrames!: number;
  @ApiProperty({ nullable: true, type: Number }) keyframeIntervalSeconds!: number | null;
  @ApiProperty() reconnects!: number;
  @ApiProperty({ type: [IngestWarningDto] }) warnings!: IngestWarningDto[];
  @ApiProperty({ type: IngestErrorDto, nullable: true }) lastError!: IngestErrorDto | null;
}

/** What the owner (or an admin) sees: where encoders publish, and how the current one is doing. */
export class StreamOwnerDto extends StreamDto {
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'rtmp://live.example.com:1935/live',
    description: 'RTMP server URL; the stream key is the stream name (null: RTMP is off)',
  })
  rtmpUrl!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'rtmps://live.example.com:1936/live',
    description: 'RTMPS server URL (null: not configured)',
  })
  rtmpsUrl!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'srt://live.example.com:9000',
    description: 'SRT listener; the stream key goes in `?streamid=` (null: SRT is off)',
  })
  srtUrl!: string | null;
  @ApiProperty({
    type: StreamIngestDto,
    nullable: true,
    description: 'The RTMP/SRT encoder, if one has connected',
  })
  ingest!: StreamIngestDto | null;
}

/** Returned only to the owner, at creation and key rotation: the key is stored hashed. */
export class StreamWithKeyDto extends StreamOwnerDto {
  @ApiProperty({
    description: 'Secret: the WHIP bearer token, the RTMP stream name and the SRT streamid. Shown once.',
  })
  streamKey!: string;
}

export class StreamPageDto extends PageOf(StreamDto) {}
