import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { UnauthorizedError } from '../errors/domain-errors';
import { ROLES, type AuthUser, type Role, type VerifiedUser } from './roles';

export const JWT_SECRET = Symbol('JWT_SECRET');

interface Claims {
  sub: string;
  email: string;
  name: string;
  roles: Role[];
  /** The user's token version (see AccessCheck). */
  ver: number;
}

/** The only JOSE header a token of ours may carry (`typ` optional). */
const HEADER_ALG = 'HS256';

/**
 * Issues and verifies the JWT access tokens (HS256). They are short-lived
 * (JWT_TTL_SECONDS) and carry the user's token version; a token without one
 * (issued before versions existed) is refused, so its user signs in again.
 */
@Injectable()
export class TokenService {
  /**
   * The secret as a KeyObject, made once. Given a string, jsonwebtoken first
   * tries to read it as a public key (createPublicKey throws, then it falls
   * back to a secret key) on every call, which costs far more than the HMAC
   * itself; a KeyObject made once avoids that.
   */
  private readonly key: KeyObject;
  private readonly jwt: JwtService;

  constructor(@Inject(JWT_SECRET) secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
    this.jwt = new JwtService({ secretOrKeyProvider: () => this.key });
  }

  issue(user: AuthUser, version: number, ttlSeconds: number): string {
    const claims: Claims = {
      sub: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
      ver: version,
    };
    return this.jwt.sign(claims, { expiresIn: ttlSeconds, algorithm: 'HS256' });
  }

  /**
   * Verifies an access token: compact JWS, `alg` exactly HS256 (no `none`, no
   * other algorithm), HMAC-SHA256 compared in constant time, `exp` required and
   * in the future, `nbf` (if any) reached. Done with node:crypto directly:
   * every authenticated request verifies a token, and jsonwebtoken's general
   * path (jws stream decoding, option handling) was a visible share of a
   * flash-sale order's CPU (docs/benchmarks/orders.md).
   */
  verify(token: unknown): VerifiedUser {
    if (typeof token !== 'string') throw new UnauthorizedError('Invalid access token');
    const c = this.verifyClaims(token);
    if (
      typeof c.sub !== 'string' ||
      !Array.isArray(c.roles) ||
      !c.roles.every((r) => ROLES.includes(r as Role)) ||
      !Number.isSafeInteger(c.ver)
    ) {
      throw new UnauthorizedError('Invalid access token');
    }
    return {
      id: c.sub,
      email: typeof c.email === 'string' ? c.email : '',
      name: typeof c.name === 'string' ? c.name : '',
      roles: c.roles as Role[],
      ver: c.ver as number,
      exp: c.exp as number,
    };
  }

  private verifyClaims(token: string): Record<string, unknown> {
    const invalid = () => new UnauthorizedError('Invalid or expired access token');
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 === token.length - 1 || token.indexOf('.', dot2 + 1) !== -1)
      throw invalid();
    const header = parseSegment(token.slice(0, dot1));
    if (header?.alg !== HEADER_ALG || (header.typ !== undefined && header.typ !== 'JWT')) throw invalid();
    const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
    const expected = createHmac('sha256', this.key).update(token.slice(0, dot2)).digest();
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw invalid();
    const claims = parseSegment(token.slice(dot1 + 1, dot2));
    if (!claims) throw invalid();
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || now >= claims.exp) throw invalid();
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf)) throw invalid();
    return claims;
  }

  /** Reads `Authorization: Bearer <token>`; undefined when absent. */
  static bearer(header: string | undefined): string | undefined {
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!m) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
    return m[1];
  }
}

/** A base64url JSON object segment of a JWS, or undefined when it is not one. */
function parseSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
