import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Socket } from 'socket.io';
import type { AuthUser, Role } from './roles';

export const IS_PUBLIC = 'livecart:public';
export const REQUIRED_ROLES = 'livecart:roles';

/** Anyone may call this, signed in or not (a token, when sent, is still read). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Needs a signed-in user holding one of these roles (admins pass every check). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The signed-in user (undefined on public routes called anonymously). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser | undefined => {
  if (ctx.getType() === 'ws') return (ctx.switchToWs().getClient<Socket>().data as { user?: AuthUser }).user;
  return ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>().user;
});
