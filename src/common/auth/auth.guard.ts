import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Socket } from 'socket.io';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-errors';
import { ACCESS_CHECK, type AccessCheck, sessionEnded } from './access-check';
import { CONFIRMS_USER, IS_PUBLIC, REQUIRED_ROLES } from './decorators';
import { hasAnyRole, type AuthUser, type Role, type VerifiedUser } from './roles';
import { TokenService } from './token.service';

/**
 * Global guard, deny by default: every route and socket event needs a signed-in
 * user unless marked @Public(); @Roles() narrows it further. Sockets
 * authenticate at connect time or with `auth`/`join` (see the live room) and
 * carry `data.user`, and are ended when their token expires or is revoked.
 *
 * An access token stands when it verifies and the AccessCheck says its user
 * exists and its token version is current; that answer is synchronous for
 * users seen in the last minutes, so the hot path stays one HMAC and two map
 * lookups. On @ConfirmsUser routes, a user not seen lately is left for the
 * handler's own read to confirm.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Optional() @Inject(ACCESS_CHECK) private readonly access?: AccessCheck,
  ) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false;
    const roles = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];

    if (ctx.getType() === 'ws') {
      const user = (ctx.switchToWs().getClient<Socket>().data as { user?: AuthUser }).user;
      return this.decide(isPublic, roles, user);
    }
    if (ctx.getType() !== 'http') return this.decide(isPublic, roles, undefined);
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    let user: VerifiedUser | undefined;
    try {
      const token = TokenService.bearer(req.headers.authorization);
      user = token ? this.tokens.verify(token) : undefined;
    } catch (e) {
      // A public route still knows who calls when a valid token is sent. WHIP/WHEP
      // routes are public and read their own bearer (the stream key), so a token
      // that is not ours is simply ignored there.
      if (!isPublic) throw e;
    }
    if (!user) return this.decide(isPublic, roles, (req.user = undefined));
    const defer = this.reflector.getAllAndOverride<boolean>(CONFIRMS_USER, targets) ?? false;
    const current = this.access ? this.access.isCurrent(user, defer) : true;
    if (current === true) return this.decide(isPublic, roles, (req.user = user));
    if (current === false) return this.refused(isPublic, roles, req);
    if (current === 'unconfirmed') {
      user.unconfirmed = true;
      return this.decide(isPublic, roles, (req.user = user));
    }
    return current.then((ok) =>
      ok ? this.decide(isPublic, roles, (req.user = user)) : this.refused(isPublic, roles, req),
    );
  }

  /** A token whose user is gone or whose version was revoked: anonymous on public routes, else 401. */
  private refused(isPublic: boolean, roles: Role[], req: { user?: AuthUser }): boolean {
    req.user = undefined;
    if (isPublic) return true;
    throw sessionEnded();
  }

  private decide(isPublic: boolean, roles: Role[], user: AuthUser | undefined): boolean {
    if (isPublic) return true;
    if (!user) throw new UnauthorizedError();
    if (!hasAnyRole(user, roles)) {
      throw new ForbiddenError(`This needs the ${roles.join(' or ')} role`);
    }
    return true;
  }
}
