import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ACCESS_CHECK } from '../common/auth/access-check';
import { AuthGuard } from '../common/auth/auth.guard';
import { PasswordHasher } from '../common/auth/password-hasher';
import { JWT_SECRET, TokenService } from '../common/auth/token.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AuthController } from './auth.controller';
import { AuthService, DEVICE_TOKENS, PASSWORD_HASHER } from './auth.service';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { DeviceTokens } from './session-cookies';
import { TokenVersions } from './token-versions';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

/**
 * Outside production a missing JWT_SECRET is generated once and kept in the
 * data folder, so sessions survive restarts of the embedded default.
 */
function resolveJwtSecret(config: AppConfig): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  const file = path.join(config.dataDir, 'jwt-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = crypto.randomBytes(48).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  controllers: [AuthController],
  providers: [
    { provide: JWT_SECRET, inject: [APP_CONFIG], useFactory: resolveJwtSecret },
    {
      provide: PASSWORD_HASHER,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => new PasswordHasher(c.auth.scryptCost),
    },
    {
      provide: DEVICE_TOKENS,
      inject: [JWT_SECRET],
      useFactory: (secret: string) => new DeviceTokens(secret),
    },
    TokenService,
    TokenVersions,
    { provide: ACCESS_CHECK, useExisting: TokenVersions },
    UsersRepository,
    RefreshTokensRepository,
    AuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService, ACCESS_CHECK, UsersRepository, AuthService],
})
export class AuthModule {}
