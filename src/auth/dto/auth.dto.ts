import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { OptionalField } from '../../common/validation/fields';
import { toPlainLine, trimmed } from '../../common/validation/text';
import { ROLES, SELF_SERVICE_ROLES, type Role } from '../../common/auth/roles';

/** Where a session's refresh token goes: an httpOnly cookie (browsers) or the response body (apps). */
export const REFRESH_TOKEN_IN = ['cookie', 'body'] as const;
export type RefreshTokenIn = (typeof REFRESH_TOKEN_IN)[number];

class SessionOptionsDto {
  @ApiPropertyOptional({
    enum: REFRESH_TOKEN_IN,
    default: 'cookie',
    description:
      '`cookie`: the refresh token is set as the httpOnly cookie `lc_refresh` (browsers). `body`: it is ' +
      'returned as `refreshToken` (with `deviceToken`), for clients without a cookie jar.',
  })
  @OptionalField()
  @IsIn(REFRESH_TOKEN_IN, { message: `refreshTokenIn must be one of ${REFRESH_TOKEN_IN.join(', ')}` })
  refreshTokenIn?: RefreshTokenIn;
}

export class RegisterDto extends SessionOptionsDto {
  @ApiProperty({ example: 'ana@example.com' })
  @Transform(trimmed)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(200)
  password!: string;

  @ApiProperty({
    example: 'Ana',
    maxLength: 60,
    description: 'Plain text: control and bidi characters are removed, as in chat',
  })
  @Transform(toPlainLine)
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  name!: string;

  @ApiPropertyOptional({ enum: SELF_SERVICE_ROLES, default: 'viewer' })
  @OptionalField()
  @IsIn(SELF_SERVICE_ROLES, { message: `role must be one of ${SELF_SERVICE_ROLES.join(', ')}` })
  role?: Role;
}

export class LoginDto extends SessionOptionsDto {
  @ApiProperty()
  @Transform(trimmed)
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  password!: string;

  @ApiPropertyOptional({
    description:
      'Apps without cookies: the `deviceToken` of an earlier sign-in (browsers send the `lc_device` cookie)',
  })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  deviceToken?: string;
}

/** `POST /api/auth/refresh` and `/logout`: the refresh token, when it is not in the cookie. */
export class RefreshDto {
  @ApiPropertyOptional({
    description: 'Clients that keep the refresh token themselves; browsers send the cookie',
  })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;

  @ApiPropertyOptional({ description: 'Apps without cookies: their device token' })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  deviceToken?: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
}

export class TokenDto {
  @ApiProperty({ description: 'JWT access token; send as `Authorization: Bearer <token>`' })
  accessToken!: string;
  @ApiProperty({ description: 'Seconds the access token lives (renew it with POST /api/auth/refresh)' })
  expiresIn!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiPropertyOptional({ description: 'Only with refreshTokenIn: body (else it is the lc_refresh cookie)' })
  refreshToken?: string;
  @ApiPropertyOptional({
    description: 'Only with refreshTokenIn: body: seconds the refresh token lives unused',
  })
  refreshExpiresIn?: number;
  @ApiPropertyOptional({ description: 'Only with refreshTokenIn: body (else the lc_device cookie)' })
  deviceToken?: string;
}

export class GrantRolesDto {
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}
