import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import type Redis from 'ioredis';
import { AppModule } from './app.module';
import { REDIS } from './infra/infra.module';
import { LiveIoAdapter } from './live/live-io.adapter';
import { ErrorFilter } from './common/errors/error.filter';
import { fastifyOptions, registerBodyParsers, registerRequestHooks } from './common/http/http-platform';
import { createRootLogger, PinoLoggerService } from './common/logging/logger';
import { validationPipe } from './common/validation/validation-pipe';
import type { AppConfig } from './config/config';
import { runMigrations } from './database/data-source';
import { MetricsService } from './metrics/metrics.service';
import { CLIENT_DIR, embedFileHeaders } from './web/client-dir';

/** The embed's chunks (dist/client/embed/hls-<hash>.js): named by content, like assets/. */
const HASHED_EMBED_CHUNK = /[\\/]embed[\\/][^\\/]+-[\w-]{8}\.js(\.map)?$/;

/**
 * Builds the configured HTTP app (used by main.ts and by the integration tests).
 *
 * Nest runs on Fastify: a trivial route answers several times faster than on
 * Express, and a flash sale is mostly HTTP (docs/benchmarks/orders.md).
 */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const log = createRootLogger(config.logLevel);
  const adapter = new FastifyAdapter(fastifyOptions(config.http.bodyLimitBytes, config.http.trustedProxies));
  const fastify = adapter.getInstance();
  registerBodyParsers(fastify, { image: config.catalog.imageMaxBytes });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl }),
    adapter,
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(new PinoLoggerService(log));
  const metrics = app.get(MetricsService);
  registerRequestHooks(fastify, log, (method, route, status, seconds) =>
    metrics.observeRequest(method, route, status, seconds),
  );
  app.enableCors({
    origin: config.http.corsOrigins === '*' ? true : config.http.corsOrigins,
    // Stated: @fastify/cors allows only GET, HEAD and POST by default, and WHIP/WHEP
    // clients PATCH and DELETE their sessions, merchants PATCH products.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['Location', 'ETag', 'Link', 'Accept-Patch', 'Retry-After'],
  });
  app.useWebSocketAdapter(new LiveIoAdapter(app, app.get<Redis | null>(REDIS), config.redisPrefix));
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ErrorFilter());

  // The front end's built files (dist/client/, see client-demo/), one route per
  // file found at boot (no wildcard: an unknown path costs no disk lookup and
  // gets the API's 404). Pages are served by WebController under friendly
  // paths; hashed assets never change, so they are cached for good.
  if (CLIENT_DIR) {
    app.useStaticAssets({
      root: CLIENT_DIR,
      prefix: '/',
      index: false,
      wildcard: false,
      // The build writes .br and .gz beside each script and stylesheet (client-demo/vite.config.mts).
      preCompressed: true,
      // Pages only under their friendly paths (with their CSP); the build's .vite/ manifest not at all.
      allowedPath: (_file, _root, req) => !/\.html$|^\/\.vite\//.test(req.url.split('?')[0] ?? ''),
      // @fastify/static 10 hands setHeaders the Fastify reply, not the raw response Nest's type names.
      setHeaders: (res, sent) => {
        const reply = res as unknown as FastifyReply;
        // The file asked for: `sent` is its .br or .gz copy when one went out (preCompressed).
        const filePath = sent.replace(/\.(br|gz)$/, '');
        void reply.header(
          'Cache-Control',
          filePath.includes(`${path.sep}assets${path.sep}`) || HASHED_EMBED_CHUNK.test(filePath)
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
        // /embed.js and /embed.d.ts: for the sites that may embed the player (EMBED_ALLOWED_ORIGINS).
        const embed =
          path.dirname(filePath) === CLIENT_DIR
            ? embedFileHeaders(
                path.basename(filePath),
                reply.request.headers.origin,
                config.http.embedOrigins,
              )
            : null;
        for (const [name, value] of Object.entries(embed ?? {}))
          void (value === null ? reply.removeHeader(name) : reply.header(name, value));
      },
    });
  } else {
    log.warn('the front end is not built (dist/client/): pages answer 503 until `npm start` builds it');
  }

  const doc = new DocumentBuilder()
    .setTitle('livecart API')
    .setDescription(
      'Live-streaming commerce: streams (WHIP/WHEP/HLS), catalog, orders and reports. ' +
        'Errors are `{ "error": { "code", "message" } }`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });

  await runMigrations(app.get(DataSource));
  return app;
}
