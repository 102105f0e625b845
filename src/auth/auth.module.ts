import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ACCESS_CHECK } from '../common/auth/access-check';
import { AuthGuard } from '../common/auth/auth.guard';
import { PasswordHasher } from '../common/auth/password-hasher';
import { storedSecret } from '../common/crypto/stored-secret';
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
  return config.auth.jwtSecret || storedSecret(config.dataDir, 'jwt-secret', 48);
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
