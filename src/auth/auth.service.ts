import { Inject, Injectable } from '@nestjs/common';
import { PasswordHasher } from '../common/auth/password-hasher';
import type { AuthUser, Role } from '../common/auth/roles';
import { TokenService } from '../common/auth/token.service';
import {
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { STATE_STORE } from '../infra/infra.module';
import type { StateStore } from '../infra/state-store';
import type { TokenDto, UserDto } from './dto/auth.dto';
import type { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');

@Injectable()
export class AuthService {
  /** A hash to compare against when the email is unknown, so timing does not reveal which emails exist. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  static toDto(u: UserEntity): UserDto {
    return { id: u.id, email: u.email, name: u.displayName, roles: u.roles };
  }

  private session(u: UserEntity): TokenDto {
    const user = AuthService.toDto(u);
    const ttl = this.config.auth.tokenTtlSeconds;
    return { accessToken: this.tokens.issue(user, ttl), expiresIn: ttl, user };
  }

  async register(input: { email: string; password: string; name: string; roles: Role[] }): Promise<TokenDto> {
    const user = await this.users.create({
      email: input.email,
      displayName: input.name,
      passwordHash: await this.hasher.hash(input.password),
      roles: [...new Set<Role>(['viewer', ...input.roles])],
    });
    return this.session(user);
  }

  /**
   * Blunts password guessing: 10 tries per account (one more every 6 s) and
   * 100 per client address (one more a second: many people share one NAT).
   */
  async login(email: string, password: string, clientIp: string): Promise<TokenDto> {
    const buckets: [string, number, number][] = [
      [`login:email:${email.toLowerCase()}`, 10, 1 / 6],
      [`login:ip:${clientIp}`, 100, 1],
    ];
    for (const [key, capacity, rate] of buckets) {
      const wait = await this.state.takeToken(key, capacity, rate);
      if (wait > 0) throw new RateLimitedError('Too many login attempts; try again later', wait / 1000);
    }
    const user = await this.users.findByEmail(email);
    this.dummyHash ??= this.hasher.hash('dummy password for timing');
    const ok = await this.hasher.verify(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !ok) throw new UnauthorizedError('Wrong email or password');
    return this.session(user);
  }

  async me(user: AuthUser): Promise<UserDto> {
    const u = await this.users.findById(user.id);
    if (!u) throw new NotFoundError('User', user.id);
    return AuthService.toDto(u);
  }

  async grantRoles(userId: string, roles: Role[]): Promise<UserDto> {
    if (roles.length === 0) throw new ValidationError('roles must not be empty');
    const u = await this.users.findById(userId);
    if (!u) throw new NotFoundError('User', userId);
    const next = [...new Set<Role>(['viewer', ...roles])];
    await this.users.setRoles(userId, next);
    return { ...AuthService.toDto(u), roles: next };
  }
}
