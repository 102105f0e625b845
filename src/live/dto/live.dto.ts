import { IsIn, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { OptionalField } from '../../common/validation/fields';
import { REACTION_KINDS, type AuthRequest, type JoinRequest, type ReactionKind } from '../../room/protocol';

export class JoinDto implements JoinRequest {
  @IsUUID(undefined, { message: 'streamId must be a stream id (uuid)' })
  streamId!: string;

  @OptionalField()
  @IsString({ message: 'token must be a string' })
  @MaxLength(4096)
  token?: string;

  @OptionalField()
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'deviceId must be 8 to 64 letters, digits, _ or -' })
  deviceId?: string;
}

export class ChatSendDto {
  /** Cleaned and length-checked by the chat service (after trimming); frames are capped at 64 KiB. */
  @IsString({ message: 'text must be a string' })
  text!: string;
}

export class ReactionDto {
  @IsIn(REACTION_KINDS, { message: `kind must be one of ${REACTION_KINDS.join(', ')}` })
  kind!: ReactionKind;
}

export class AuthDto implements AuthRequest {
  @IsString({ message: 'token must be a string' })
  @MaxLength(4096)
  token!: string;
}
