import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * The body a route accepts, read by the Fastify hooks of http-platform.ts
 * before a byte of the body is parsed: its size limit and, when given, its
 * content types (anything else is 415 without reading the body).
 */
export interface BodyOptions {
  /** Largest body in bytes (capped by BODY_LIMIT_BYTES); default DEFAULT_BODY_LIMIT. */
  limit?: number;
  /** A limit set by an option of its own instead (not capped by BODY_LIMIT_BYTES). */
  named?: NamedBodyLimit;
  /** Content types the route reads, lower case without parameters (e.g. `application/sdp`). */
  consumes?: readonly string[];
}

/** Body limits configured by options of their own: `image` is PRODUCT_IMAGE_MAX_BYTES. */
export type NamedBodyLimit = 'image';

/**
 * The limit of a route that declares none. Every JSON body of the API is a
 * few hundred bytes; routes with bigger bodies (product descriptions, word
 * lists, SDP offers) declare their own.
 */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** Where the options travel: the Fastify route's `config`. */
export const BODY_OPTIONS = 'livecartBody';

/** Declares the body a route accepts (see BodyOptions). */
export const AcceptsBody = (options: BodyOptions): MethodDecorator =>
  RouteConfig({ [BODY_OPTIONS]: options });
