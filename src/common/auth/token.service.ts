import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { UnauthorizedError } from '../errors/domain-errors';
import { ROLES, type AuthUser, type Role } from './roles';

export const JWT_SECRET = Symbol('JWT_SECRET');

interface Claims {
  sub: string;
  email: string;
  name: string;
  roles: Role[];
}

/** Issues and verifies the JWT access tokens (HS256). */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(JWT_SECRET) private readonly secret: string,
  ) {}

  issue(user: AuthUser, ttlSeconds: number): string {
    const claims: Claims = { sub: user.id, email: user.email, name: user.name, roles: user.roles };
    return this.jwt.sign(claims, { secret: this.secret, expiresIn: ttlSeconds, algorithm: 'HS256' });
  }

  verify(token: string): AuthUser {
    let c: Claims;
    try {
      c = this.jwt.verify<Claims>(token, { secret: this.secret, algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedError('Invalid or expired access token');
    }
    if (typeof c.sub !== 'string' || !Array.isArray(c.roles) || !c.roles.every((r) => ROLES.includes(r))) {
      throw new UnauthorizedError('Invalid access token');
    }
    return { id: c.sub, email: c.email, name: c.name, roles: c.roles };
  }

  /** Reads `Authorization: Bearer <token>`; undefined when absent. */
  static bearer(header: string | undefined): string | undefined {
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!m) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
    return m[1];
  }
}
