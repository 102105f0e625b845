import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Socket } from 'socket.io';
import type { AuthUser, Role } from './roles';

export const IS_PUBLIC = 'livecart:public';
export const REQUIRED_ROLES = 'livecart:roles';
export const CONFIRMS_USER = 'livecart:confirms-user';

/** Anyone may call this, signed in or not (a token, when sent, is still read). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Needs a signed-in user holding one of these roles (admins pass every check). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/**
 * The handler reads the caller's user row in its own database round trip and
 * refuses a user that does not exist (the reservation engine does, for
 * orders), so the guard does not look up a user it has not seen lately:
 * such a request carries `user.unconfirmed`. Revoked tokens are still
 * refused by the guard. The price: a validly signed token of a user that is
 * gone gets the route's 400 for a bad body before its 401.
 */
export const ConfirmsUser = () => SetMetadata(CONFIRMS_USER, true);

/** The signed-in user (undefined on public routes called anonymously). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser | undefined => {
  if (ctx.getType() === 'ws') return (ctx.switchToWs().getClient<Socket>().data as { user?: AuthUser }).user;
  return ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>().user;
});
