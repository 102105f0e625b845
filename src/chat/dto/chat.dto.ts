import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsIsoDateTime } from '../../common/validation/fields';
import { MAX_WORD_LENGTH, MAX_WORDS } from '../chat-text';
import { PageLimit } from '../../common/http/pagination.dto';

export class ChatUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Display name (plain text)' }) name!: string;
}

export class ChatMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: ChatUserDto }) user!: ChatUserDto;
  @ApiProperty({ description: 'Plain text, at most 500 characters; render as text, never HTML' })
  text!: string;
  @ApiProperty({ description: 'ISO 8601 time the server accepted it' }) at!: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEFORE_MESSAGE = 'before must be a message id (uuid) or an ISO 8601 time with a zone';
const ISO_OR_UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2}))$/i;

export class ChatHistoryQueryDto {
  @ApiPropertyOptional({
    description: 'Cursor: a message id or an ISO 8601 time; returns older messages only',
    example: '2026-11-22T10:00:00Z',
  })
  @IsOptional()
  @IsString()
  @Matches(ISO_OR_UUID, { message: BEFORE_MESSAGE })
  @ValidateIf((o: ChatHistoryQueryDto) => !UUID.test(o.before ?? ''))
  @IsIsoDateTime({ message: BEFORE_MESSAGE })
  before?: string;

  @PageLimit()
  limit?: number;
}

export class ChatPageDto {
  @ApiProperty({ type: [ChatMessageDto], description: 'Oldest first' }) items!: ChatMessageDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `before` to get the previous page; null when there is none',
  })
  nextBefore!: string | null;
}

export const MODERATION_ACTIONS = ['delete', 'mute', 'unmute', 'ban', 'unban', 'slow-mode', 'words'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/**
 * One moderation action; which other fields are required depends on `action`:
 * delete → messageId; mute → userId, minutes; unmute/ban/unban → userId;
 * slow-mode → seconds (0 turns it off); words → words (replaces the list).
 */
export class ModerationDto {
  @ApiProperty({ enum: MODERATION_ACTIONS })
  @IsIn(MODERATION_ACTIONS)
  action!: ModerationAction;

  @ApiPropertyOptional({ format: 'uuid', description: 'delete: the message' })
  @ValidateIf((o: ModerationDto) => o.action === 'delete')
  @IsUUID(undefined, { message: 'messageId must be a message id (uuid)' })
  messageId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'mute, unmute, ban, unban: the user' })
  @ValidateIf((o: ModerationDto) => ['mute', 'unmute', 'ban', 'unban'].includes(o.action))
  @IsUUID(undefined, { message: 'userId must be a user id (uuid)' })
  userId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10080, description: 'mute: for how many minutes' })
  @ValidateIf((o: ModerationDto) => o.action === 'mute')
  @IsInt()
  @Min(1)
  @Max(10080)
  minutes?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 3600,
    description: 'slow-mode: seconds between messages; 0 = off',
  })
  @ValidateIf((o: ModerationDto) => o.action === 'slow-mode')
  @IsInt()
  @Min(0)
  @Max(3600)
  seconds?: number;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_WORDS,
    description: 'words: the whole word list (whole words, case-insensitive); [] clears it',
  })
  @ValidateIf((o: ModerationDto) => o.action === 'words')
  @IsArray()
  @ArrayMaxSize(MAX_WORDS)
  @IsString({ each: true })
  @MaxLength(MAX_WORD_LENGTH, { each: true })
  words?: string[];
}

export class ModerationResultDto {
  @ApiProperty({ enum: MODERATION_ACTIONS }) action!: ModerationAction;
  @ApiPropertyOptional({ format: 'uuid' }) messageId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) userId?: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'End of a mute; null for a ban or a lift',
  })
  until?: string | null;
  @ApiPropertyOptional() slowModeSeconds?: number;
  @ApiPropertyOptional({ type: [String] }) words?: string[];
}

export class ChatSettingsDto {
  @ApiProperty() slowModeSeconds!: number;
  @ApiProperty({ type: [String] }) words!: string[];
}
