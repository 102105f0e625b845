import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { OptionalField } from '../../common/validation/fields';
import { toPlainLine } from '../../common/validation/text';
import { ROLES, SELF_SERVICE_ROLES, type Role } from '../../common/auth/roles';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class RegisterDto {
  @ApiProperty({ example: 'ana@example.com' })
  @Transform(trim)
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

export class LoginDto {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  password!: string;
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
  @ApiProperty() expiresIn!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;
}

export class GrantRolesDto {
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}
