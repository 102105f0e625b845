import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
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
import type { UserDto } from './dto/auth.dto';
import { newRefreshToken, RefreshTokensRepository } from './refresh-tokens.repository';
import { DeviceTokens } from './session-cookies';
import { TokenVersions } from './token-versions';
import type { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');
export const DEVICE_TOKENS = Symbol('DEVICE_TOKENS');

/**
 * A used refresh token shown again within this window is a second tab or a
 * retry racing the first refresh, not a thief: it gets a new token of the same
 * family. Later, it is a reuse, and the family is revoked.
 */
export const REFRESH_REUSE_GRACE_MS = 10_000;

/** Where a request comes from, for the per-address limits and the device check. */
export interface ClientContext {
  ip: string;
  /** The device token the client showed (cookie or body), if any. */
  deviceToken?: string;
}

/** What a sign-in, registration or refresh hands out. */
export interface Session {
  accessToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  user: UserDto;
  refreshToken: string;
  /** Seconds the refresh token lives unless used. */
  refreshExpiresIn: number;
  /** A device token for this user (new, or the one shown if it was valid). */
  deviceToken: string;
}

@Injectable()
export class AuthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Auth');
  /** A hash to compare against when the email is unknown, so timing does not reveal which emails exist. */
  private dummyHash?: Promise<string>;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly versions: TokenVersions,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(DEVICE_TOKENS) private readonly devices: DeviceTokens,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.refreshTokens
        .deleteExpired()
        .catch((e: Error) => this.logger.warn(`refresh token sweep: ${e.message}`));
    }, 3600_000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  static toDto(u: UserEntity): UserDto {
    return { id: u.id, email: u.email, name: u.displayName, roles: u.roles };
  }

  /** A new session (or the next token of a family) for a user, with their current roles and version. */
  private async session(u: UserEntity, familyId: string, deviceToken?: string): Promise<Session> {
    const user = AuthService.toDto(u);
    const ttl = this.config.auth.tokenTtlSeconds;
    const refreshTtl = this.config.auth.refreshTtlSeconds;
    const version = await this.versions.current(u.id);
    const refreshToken = newRefreshToken();
    await this.refreshTokens.insert({
      userId: u.id,
      familyId,
      token: refreshToken,
      expiresAt: new Date(Date.now() + refreshTtl * 1000),
    });
    return {
      accessToken: this.tokens.issue(user, version, ttl),
      expiresIn: ttl,
      user,
      refreshToken,
      refreshExpiresIn: refreshTtl,
      deviceToken: this.devices.verify(deviceToken, u.id) ? deviceToken! : this.devices.issue(u.id),
    };
  }

  /** Token bucket per client address; 429 with Retry-After when it is empty. */
  private async limit(key: string, burst: number, perSecond: number, what: string): Promise<void> {
    const wait = await this.state.takeToken(key, burst, perSecond);
    if (wait > 0)
      throw new RateLimitedError(`Too many ${what} from this address; try again later`, wait / 1000);
  }

  /**
   * Creates an account and signs it in. Accounts are limited per client
   * address (REGISTER_ADDRESS_*), checked before the password is hashed.
   */
  async register(
    input: { email: string; password: string; name: string; roles: Role[] },
    client: ClientContext = { ip: 'internal' },
  ): Promise<Session> {
    const a = this.config.auth;
    if (client.ip !== 'internal') {
      await this.limit(
        `register:ip:${client.ip}`,
        a.registerAddressBurst,
        a.registerAddressPerHour / 3600,
        'accounts',
      );
    }
    const user = await this.users.create({
      email: input.email,
      displayName: input.name,
      passwordHash: await this.hasher.hash(input.password),
      roles: [...new Set<Role>(['viewer', ...input.roles])],
    });
    return this.session(user, randomUUID(), client.deviceToken);
  }

  /**
   * Signs in. Guessing is bounded two ways, so that a stranger cannot lock a
   * user out:
   *  - per client address: LOGIN_ADDRESS_BURST attempts, then
   *    LOGIN_ADDRESS_PER_MINUTE;
   *  - per account: after LOGIN_MAX_FAILURES wrong passwords within
   *    LOGIN_LOCK_SECONDS (from anywhere), the account refuses sign-ins for
   *    LOGIN_LOCK_SECONDS, right password or not, except from a device that
   *    has signed in to it before (its device token), where the right
   *    password still works. Unknown emails are counted alike, so a lock says
   *    nothing about whether an account exists.
   */
  async login(email: string, password: string, client: ClientContext): Promise<Session> {
    const a = this.config.auth;
    await this.limit(
      `login:ip:${client.ip}`,
      a.loginAddressBurst,
      a.loginAddressPerMinute / 60,
      'sign-in attempts',
    );
    const account = email.toLowerCase();
    const user = await this.users.findByEmail(account);
    const knownDevice = user !== null && this.devices.verify(client.deviceToken, user.id);
    if (!knownDevice) {
      const until = Number((await this.state.get(`login:locked:${account}`)) ?? 0);
      if (until > Date.now()) {
        throw new RateLimitedError(
          'Too many wrong passwords for this account; try again later, or sign in from a device you have used before',
          (until - Date.now()) / 1000,
        );
      }
    }
    this.dummyHash ??= this.hasher.hash('dummy password for timing');
    const ok = await this.hasher.verify(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !ok) {
      await this.failed(account);
      throw new UnauthorizedError('Wrong email or password');
    }
    return this.session(user, randomUUID(), client.deviceToken);
  }

  private async failed(account: string): Promise<void> {
    const windowMs = this.config.auth.loginLockSeconds * 1000;
    const n = await this.state.incrBy(`login:failures:${account}`, 1, windowMs);
    if (n === this.config.auth.loginMaxFailures) {
      await this.state.set(`login:locked:${account}`, String(Date.now() + windowMs), windowMs);
    }
  }

  /**
   * Rotates a refresh token: the one shown is used up and a new one of the
   * same family comes back, with a new access token carrying the user's
   * current roles. A token used before (outside REFRESH_REUSE_GRACE_MS),
   * revoked, expired or unknown is a 401; a reused one also revokes its
   * family and ends the user's access tokens, since one of the two holders
   * is a thief.
   */
  async refresh(token: string | undefined, client: ClientContext): Promise<Session> {
    const invalid = () => new UnauthorizedError('The refresh token is not valid; sign in again');
    if (!token || token.length > 200) throw invalid();
    const row = await this.refreshTokens.find(token);
    if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) throw invalid();
    if (row.usedAt || !(await this.refreshTokens.markUsed(row.id))) {
      const used = row.usedAt ?? new Date();
      if (Date.now() - used.getTime() > REFRESH_REUSE_GRACE_MS) {
        this.logger.warn(`refresh token reused for user ${row.userId}: family revoked`);
        await this.refreshTokens.revokeFamily(row.familyId);
        await this.versions.raise(row.userId);
        throw invalid();
      }
    }
    const user = await this.users.findById(row.userId);
    if (!user) throw invalid();
    return this.session(user, row.familyId, client.deviceToken);
  }

  /** Signs this session out: its refresh token family ends. Unknown tokens are fine (already out). */
  async logout(token: string | undefined): Promise<void> {
    if (!token || token.length > 200) return;
    const row = await this.refreshTokens.find(token);
    if (row) await this.refreshTokens.revokeFamily(row.familyId);
  }

  /** Signs a user out everywhere: every refresh token, every access token and live socket ends now. */
  async logoutEverywhere(userId: string): Promise<void> {
    await this.refreshTokens.revokeUser(userId);
    await this.versions.raise(userId);
  }

  async me(user: AuthUser): Promise<UserDto> {
    const u = await this.users.findById(user.id);
    if (!u) throw new NotFoundError('User', user.id);
    return AuthService.toDto(u);
  }

  /**
   * Sets a user's roles and ends their access tokens and live sockets at
   * once: their next request needs a refresh, which carries the new roles.
   */
  async grantRoles(userId: string, roles: Role[]): Promise<UserDto> {
    if (roles.length === 0) throw new ValidationError('roles must not be empty');
    const u = await this.users.findById(userId);
    if (!u) throw new NotFoundError('User', userId);
    const next = [...new Set<Role>(['viewer', ...roles])];
    await this.users.setRoles(userId, next);
    await this.versions.raise(userId);
    return { ...AuthService.toDto(u), roles: next };
  }
}
