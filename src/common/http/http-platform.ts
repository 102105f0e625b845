import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import sjson from 'secure-json-parse';
import { BadRequestError } from '../errors/domain-errors';

/** A request as controllers see it: Fastify's, with the body's exact bytes and the signed-in user. */
export type HttpRequest = FastifyRequest & { rawBody?: Buffer };
export type HttpReply = FastifyReply;

/**
 * Options of the Fastify instance under Nest.
 *  - Proxies are trusted only on loopback (a local nginx / load balancer), so
 *    `request.ip` is the client's address there and the socket's otherwise.
 *  - Request ids come from X-Request-Id when a proxy set one.
 *  - No Fastify logger: request lines are written by the hook below (one line
 *    per request), and errors by the global filter.
 *  - Unknown paths, trailing slashes and route parameters up to 256 characters
 *    reach the router as under Express.
 */
export function fastifyOptions(bodyLimitBytes: number): FastifyServerOptions {
  return {
    bodyLimit: bodyLimitBytes,
    trustProxy: 'loopback',
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    // Fastify's default is no limit; Node's own default (300 s) was what applied under
    // Express. A client that trickles a request for a minute is cut off. (Long-held
    // requests are shorter: LL-HLS blocking reloads ~3 s, socket.io polls ~25 s.)
    requestTimeout: 60_000,
  };
}

/**
 * Body parsers. JSON keeps its exact bytes on `request.rawBody` (payment
 * webhooks are HMAC-signed over them); an empty JSON body is no body, as with
 * most servers; SDP and trickle-ICE fragments are text (WHIP/WHEP); JPEG, PNG
 * and WebP bodies are kept as bytes (product pictures). Any other
 * content type is read (within the size limit) and left unparsed, so each
 * route answers it in its own words: WHIP says which type it wants, a JSON
 * route names the fields it misses.
 */
export function registerBodyParsers(fastify: FastifyInstance, opts: { imageLimitBytes?: number } = {}): void {
  fastify.removeAllContentTypeParsers();
  // Product pictures are uploaded as the request body (`fetch(url, { body: file })`), up to their own limit.
  fastify.addContentTypeParser(
    ['image/jpeg', 'image/png', 'image/webp'],
    { parseAs: 'buffer', bodyLimit: opts.imageLimitBytes },
    (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) =>
      done(null, body),
  );
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (req: HttpRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      req.rawBody = body;
      if (body.length === 0) return done(null, undefined);
      try {
        const text = body.toString('utf8');
        // PostgreSQL text cannot hold NUL: refused here, for every route, rather than failing in a query.
        if (NUL_ESCAPE.test(text)) {
          return done(
            new BadRequestError(
              'Text cannot contain NUL characters (\\u0000); remove them.',
              'nul_character',
            ),
          );
        }
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

/** `\u0000` in JSON text, unless its backslash is itself escaped (`\\u0000` is six characters of text). */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/i;

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
