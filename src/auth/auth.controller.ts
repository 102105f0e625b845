import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { AuthService } from './auth.service';
import { GrantRolesDto, LoginDto, RegisterDto, TokenDto, UserDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account (viewer, streamer or merchant) and sign in' })
  @ApiResponse({ status: 201, type: TokenDto })
  @ApiResponse({ status: 409, description: 'Email already registered' })
  register(@Body() dto: RegisterDto): Promise<TokenDto> {
    return this.auth.register({
      email: dto.email,
      password: dto.password,
      name: dto.name,
      roles: [dto.role ?? 'viewer'],
    });
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiResponse({ status: 200, type: TokenDto })
  @ApiResponse({ status: 401, description: 'Wrong email or password' })
  @ApiResponse({ status: 429, description: 'Too many attempts' })
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<TokenDto> {
    return this.auth.login(dto.email, dto.password, req.ip || 'unknown');
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiResponse({ status: 200, type: UserDto })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user);
  }

  @Roles('admin')
  @Put('users/:id/roles')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Set the roles of a user (admin)' })
  @ApiResponse({ status: 200, type: UserDto })
  grantRoles(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: GrantRolesDto): Promise<UserDto> {
    return this.auth.grantRoles(id, dto.roles);
  }
}
