import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Socket } from 'socket.io';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-errors';
import { IS_PUBLIC, REQUIRED_ROLES } from './decorators';
import { hasAnyRole, type AuthUser, type Role } from './roles';
import { TokenService } from './token.service';

/**
 * Global guard, deny by default: every route and socket event needs a signed-in
 * user unless marked @Public(); @Roles() narrows it further. Sockets
 * authenticate once at connect time (see LiveAuth) and carry `data.user`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false;
    const roles = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];

    let user: AuthUser | undefined;
    if (ctx.getType() === 'ws') {
      user = (ctx.switchToWs().getClient<Socket>().data as { user?: AuthUser }).user;
    } else if (ctx.getType() === 'http') {
      const req = ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
      if (isPublic) {
        // A public route still knows who calls when a valid token is sent. WHIP/WHEP
        // routes are public and read their own bearer (the stream key), so a token
        // that is not ours is simply ignored here.
        try {
          const token = TokenService.bearer(req.headers.authorization);
          user = token ? this.tokens.verify(token) : undefined;
        } catch {
          user = undefined;
        }
      } else {
        const token = TokenService.bearer(req.headers.authorization);
        user = token ? this.tokens.verify(token) : undefined;
      }
      req.user = user;
    }
    if (isPublic) return true;
    if (!user) throw new UnauthorizedError();
    if (!hasAnyRole(user, roles)) {
      throw new ForbiddenError(`This needs the ${roles.join(' or ')} role`);
    }
    return true;
  }
}
