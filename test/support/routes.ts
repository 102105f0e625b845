import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../src/common/auth/decorators';
import type { Role } from '../../src/common/auth/roles';
import { BODY_OPTIONS, BodyOptions } from '../../src/common/http/body-options';

export interface RouteInfo {
  method: string;
  path: string;
  isPublic: boolean;
  roles: Role[];
  /** The content types the route reads (@AcceptsBody), when it names them. */
  consumes?: readonly string[];
}

/** Every HTTP route the app serves, read from Nest's own metadata (nothing listed by hand). */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const base = (Reflect.getMetadata(PATH_METADATA, metatype) as string | undefined) ?? '';
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name] as object;
      // One path, or a list of paths that the handler serves alike.
      const subs = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (subs === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const get = <T>(key: string): T | undefined =>
        (Reflect.getMetadata(key, handler) as T | undefined) ??
        (Reflect.getMetadata(key, metatype) as T | undefined);
      for (const sub of ([] as string[]).concat(subs)) {
        const path = `/${[base, sub].filter((s) => s && s !== '/').join('/')}`.replace(/\/+/g, '/');
        routes.push({
          method,
          path,
          isPublic: get<boolean>(IS_PUBLIC) ?? false,
          roles: get<Role[]>(REQUIRED_ROLES) ?? [],
          consumes: get<Record<string, BodyOptions>>(FASTIFY_ROUTE_CONFIG_METADATA)?.[BODY_OPTIONS]?.consumes,
        });
      }
    }
  }
  return routes;
}

/** A concrete URL for a route template: path parameters become a valid but unknown UUID. */
export function concretePath(path: string): string {
  return path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000').replace(/\*\w*/g, 'x');
}
