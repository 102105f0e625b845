import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import sjson from 'secure-json-parse';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors/domain-errors';
import { BODY_OPTIONS, DEFAULT_BODY_LIMIT, type BodyOptions, type NamedBodyLimit } from './body-options';
import { jsonTextProblem } from './input-bounds';
import { proxyTrust } from './trusted-proxies';

/** A request as controllers see it: Fastify's, with the body's exact bytes and the signed-in user. */
export type HttpRequest = FastifyRequest & { rawBody?: Buffer };
export type HttpReply = FastifyReply;

/**
 * Options of the Fastify instance under Nest.
 *  - `X-Forwarded-For` is believed only from TRUSTED_PROXIES (loopback by
 *    default: a local nginx), so `request.ip` is the client's address behind
 *    them and the socket's otherwise; per-address limits rely on it.
 *  - Request ids come from X-Request-Id when a proxy set one.
 *  - No Fastify logger: request lines are written by the hook below (one line
 *    per request), and errors by the global filter.
 *  - Unknown paths, trailing slashes and route parameters up to 256 characters
 *    reach the router as under Express.
 */
export function fastifyOptions(bodyLimitBytes: number, trustedProxies = 'loopback'): FastifyServerOptions {
  return {
    bodyLimit: bodyLimitBytes,
    trustProxy: proxyTrust(trustedProxies),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    // Fastify's default is no limit; Node's own default (300 s) was what applied under
    // Express. A client that trickles a request for a minute is cut off. (Long-held
    // requests are shorter: LL-HLS blocking reloads ~3 s, socket.io polls ~25 s.)
    requestTimeout: 60_000,
  };
}

/** The media type of a request, lower case without parameters ('' when absent). */
export function mediaTypeOf(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Body parsers, and what every request must respect before one runs.
 *
 * Each route has a body limit (DEFAULT_BODY_LIMIT unless it declares its own
 * with @AcceptsBody, never above BODY_LIMIT_BYTES); a route that names its
 * content types answers any other with 415 before the body is read; a query
 * string with a NUL character is a 400. JSON is checked for depth and NUL
 * characters in one linear scan before it is parsed (input-bounds.ts), and
 * keeps its exact bytes on `request.rawBody` (payment webhooks are
 * HMAC-signed over them); an empty JSON body is no body, as with most
 * servers; SDP and trickle-ICE fragments are text (WHIP/WHEP); JPEG, PNG and
 * WebP bodies are kept as bytes (product pictures, whose route has a limit of
 * its own: `limits.image`). Any other content type is read (within the limit)
 * and left unparsed, so each route answers it in its own words: a JSON route
 * names the fields it misses.
 */
export function registerBodyParsers(
  fastify: FastifyInstance,
  limits: Record<NamedBodyLimit, number> = { image: DEFAULT_BODY_LIMIT },
): void {
  const cap = fastify.initialConfig.bodyLimit ?? DEFAULT_BODY_LIMIT;
  fastify.addHook('onRoute', (route) => {
    const o = bodyOptionsOf(route.config);
    route.bodyLimit = o?.named ? limits[o.named] : Math.min(o?.limit ?? DEFAULT_BODY_LIMIT, cap);
  });
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const q = req.url.indexOf('?');
    if (q >= 0 && req.url.includes('%00', q)) {
      return done(new BadRequestError('The query string must not contain NUL characters', 'invalid_query'));
    }
    done();
  });
  fastify.addHook('preParsing', (req: FastifyRequest, _reply: FastifyReply, payload, done) => {
    const consumes = bodyOptionsOf(req.routeOptions.config)?.consumes;
    // Only a body is refused here: a request without one goes on to the route's guards
    // (a stranger gets 401, not 415) and the route answers the missing body itself.
    if (consumes && hasBody(req)) {
      const type = mediaTypeOf(req);
      if (!consumes.includes(type)) {
        const got = type || 'none';
        return done(
          new UnsupportedMediaTypeError(`Content-Type must be ${consumes.join(' or ')} (got ${got})`),
        );
      }
    }
    done(null, payload);
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (req: HttpRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      req.rawBody = body;
      if (body.length === 0) return done(null, undefined);
      const text = body.toString('utf8');
      const problem = jsonTextProblem(text);
      if (problem) return done(new BadRequestError(problem.message, problem.code));
      try {
        done(null, parseJson(text));
      } catch (e) {
        done(new BadRequestError(`Malformed JSON body: ${(e as Error).message}`, 'malformed_json'));
      }
    },
  );
  fastify.addContentTypeParser(
    ['application/sdp', 'application/trickle-ice-sdpfrag', 'text/plain'],
    { parseAs: 'string' },
    (_req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) =>
      done(null, body),
  );
  // Product pictures are uploaded as the request body (`fetch(url, { body: file })`).
  fastify.addContentTypeParser(
    ['image/jpeg', 'image/png', 'image/webp'],
    { parseAs: 'buffer' },
    (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) =>
      done(null, body),
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) =>
      done(null, Object.fromEntries(new URLSearchParams(body))),
  );
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    (_req: FastifyRequest, _body: Buffer, done: (err: Error | null, body?: unknown) => void) =>
      done(null, undefined),
  );
}

/** Whether a request carries a body (a length above 0, or chunked). */
function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The @AcceptsBody options of a route's Fastify config, if it declares any. */
function bodyOptionsOf(config: unknown): BodyOptions | undefined {
  return (config as Record<string, BodyOptions | undefined> | undefined)?.[BODY_OPTIONS];
}

/** JSON.parse that refuses prototype pollution (`__proto__`, `constructor.prototype` keys). */
function parseJson(text: string): unknown {
  return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
}

/** What the request hook reports to: Prometheus in the app. */
export interface RequestObserver {
  (method: string, route: string, status: number, seconds: number): void;
}

/**
 * One hook at the end of every request: a log line at info level (id,
 * method, url, status, time; never headers) and the route's metrics,
 * labelled by route template so label cardinality stays bounded.
 */
export function registerRequestHooks(fastify: FastifyInstance, log: Logger, observe: RequestObserver): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    observe(request.method, route, reply.statusCode, ms / 1000);
    if (route !== '/health' && route !== '/metrics' && log.isLevelEnabled('info')) {
      log.info(
        {
          reqId: request.id,
          req: { method: request.method, url: request.url },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(ms * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}

/**
 * Accept negotiation between the types a route can produce, in its order of
 * preference: the listed type with the highest q the client accepts, or
 * undefined when it accepts none. No Accept header accepts anything.
 */
export function preferredType(accept: string | undefined, types: string[]): string | undefined {
  if (!accept) return types[0];
  let best: string | undefined;
  let bestQ = 0;
  const ranges = accept.split(',').map((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    return { range: range.trim(), q: q ? Number(q[1]) : 1 };
  });
  for (const type of types) {
    const [major] = type.split('/');
    let q = -1;
    let specificity = -1;
    for (const r of ranges) {
      const s = r.range === type ? 2 : r.range === `${major}/*` ? 1 : r.range === '*/*' ? 0 : -1;
      if (s > specificity) {
        specificity = s;
        q = r.q;
      }
    }
    if (specificity >= 0 && q > bestQ) {
      best = type;
      bestQ = q;
    }
  }
  return best;
}
