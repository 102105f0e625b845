import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthGuard } from '../common/auth/auth.guard';
import { PasswordHasher } from '../common/auth/password-hasher';
import { storedSecret } from '../common/crypto/stored-secret';
import { JWT_SECRET, TokenService } from '../common/auth/token.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AuthController } from './auth.controller';
import { AuthService, PASSWORD_HASHER } from './auth.service';
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
    TokenService,
    UsersRepository,
    AuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService, UsersRepository, AuthService],
})
export class AuthModule {}
