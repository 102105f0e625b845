import {
  Body,
  Controller,
  createParamDecorator,
  Get,
  HttpCode,
  Inject,
  Post,
  Put,
  Req,
  Res,
  type ExecutionContext,
} from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Answers, Endpoint } from '../common/http/answers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { ValidationError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AuthService, type ClientContext, type Session } from './auth.service';
import {
  GrantRolesDto,
  LoginDto,
  RefreshDto,
  RegisterDto,
  TokenDto,
  UserDto,
  type RefreshTokenIn,
} from './dto/auth.dto';
import { authCookie, DEVICE_COOKIE, DEVICE_TTL_SECONDS, readCookie, REFRESH_COOKIE } from './session-cookies';

/** What refresh and logout were sent: the refresh token from the body, else the cookie. */
interface SentRefresh {
  token: string | undefined;
  /** The token came in the body (a client without cookies gets the next one there too). */
  fromBody: boolean;
  deviceToken: string | undefined;
}

/** The {@link SentRefresh} of a refresh or logout request (its body read by refreshBody). */
const Refresh = createParamDecorator((_: unknown, ctx: ExecutionContext): SentRefresh => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const dto = refreshBody(req.body);
  return {
    token: dto.refreshToken ?? readCookie(req.headers.cookie, REFRESH_COOKIE),
    fromBody: dto.refreshToken !== undefined,
    deviceToken: dto.deviceToken,
  };
});

/**
 * Sign-in and sessions. Access tokens are short-lived JWTs sent as bearer
 * tokens; refresh tokens renew them, rotating on every use. Browsers keep the
 * refresh token in an httpOnly, SameSite=Strict cookie scoped to /api/auth
 * (page scripts never see it); clients without cookies ask for it in the body
 * (`refreshTokenIn: "body"`). The contract is in docs/api.md#auth.
 */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secureCookies = config.http.publicUrl.startsWith('https:');
  }

  private client(req: FastifyRequest, bodyDeviceToken?: string): ClientContext {
    return {
      ip: req.ip || 'unknown',
      deviceToken: bodyDeviceToken ?? readCookie(req.headers.cookie, DEVICE_COOKIE),
    };
  }

  /** The session's answer: tokens in the body for `body` clients, in cookies for browsers. */
  private answer(res: FastifyReply, s: Session, to: RefreshTokenIn): TokenDto {
    const out: TokenDto = { accessToken: s.accessToken, expiresIn: s.expiresIn, user: s.user };
    if (to === 'body') {
      return {
        ...out,
        refreshToken: s.refreshToken,
        refreshExpiresIn: s.refreshExpiresIn,
        deviceToken: s.deviceToken,
      };
    }
    void res.header('Set-Cookie', [
      authCookie(REFRESH_COOKIE, s.refreshToken, s.refreshExpiresIn, this.secureCookies),
      authCookie(DEVICE_COOKIE, s.deviceToken, DEVICE_TTL_SECONDS, this.secureCookies),
    ]);
    return out;
  }

  @Public()
  @Post('register')
  @Endpoint('Create an account (viewer, streamer or merchant) and sign in', {
    201: TokenDto,
    409: 'Email already registered',
    429: 'Too many accounts from this address',
  })
  async register(
    @Body() dto: RegisterDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<TokenDto> {
    const s = await this.auth.register(
      { email: dto.email, password: dto.password, name: dto.name, roles: [dto.role ?? 'viewer'] },
      this.client(req),
    );
    return this.answer(res, s, dto.refreshTokenIn ?? 'cookie');
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @Endpoint('Sign in with email and password', {
    200: TokenDto,
    401: 'Wrong email or password',
    429: 'Too many attempts from this address, or the account is locked',
  })
  async login(
    @Body() dto: LoginDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<TokenDto> {
    const s = await this.auth.login(dto.email, dto.password, this.client(req, dto.deviceToken));
    return this.answer(res, s, dto.refreshTokenIn ?? 'cookie');
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @Endpoint('A new access token for the refresh token (cookie or body); the refresh token rotates', {
    200: TokenDto,
    401: 'Missing, unknown, expired, revoked or reused refresh token',
  })
  async refresh(
    @Refresh() sent: SentRefresh,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<TokenDto> {
    const s = await this.auth.refresh(sent.token, this.client(req, sent.deviceToken));
    return this.answer(res, s, sent.fromBody ? 'body' : 'cookie');
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @Endpoint('Sign this session out: its refresh token (cookie or body) stops working')
  async logout(@Refresh() sent: SentRefresh, @Res({ passthrough: true }) res: FastifyReply): Promise<void> {
    await this.auth.logout(sent.token);
    void res.header('Set-Cookie', authCookie(REFRESH_COOKIE, '', 0, this.secureCookies));
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiBearerAuth()
  @Endpoint('Sign out everywhere: every refresh token, access token and live socket of the user ends now')
  async logoutAll(
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<void> {
    await this.auth.logoutEverywhere(user.id);
    void res.header('Set-Cookie', authCookie(REFRESH_COOKIE, '', 0, this.secureCookies));
  }

  @Get('me')
  @ApiBearerAuth()
  @Answers({ 200: UserDto })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user);
  }

  @Roles('admin')
  @Put('users/:id/roles')
  @ApiBearerAuth()
  @Endpoint("Set the roles of a user (admin); the user's access tokens end at once", { 200: UserDto })
  grantRoles(@UuidParam() id: string, @Body() dto: GrantRolesDto): Promise<UserDto> {
    return this.auth.grantRoles(id, dto.roles);
  }
}

/**
 * The optional body of refresh and logout: nothing (a browser: the cookie),
 * or `{ refreshToken?, deviceToken? }`. Read by hand: an empty body is no
 * body, which the validation pipe would refuse.
 */
function refreshBody(body: unknown): RefreshDto {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The body must be a JSON object');
  }
  const out: RefreshDto = {};
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'refreshToken' && k !== 'deviceToken') throw new ValidationError(`${k}: unknown field`);
    if (typeof v !== 'string' || v.length > 200) {
      throw new ValidationError(`${k} must be a string of at most 200 characters`);
    }
    out[k] = v;
  }
  return out;
}
