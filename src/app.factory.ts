import * as path from 'node:path';
import { ValidationPipe } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ValidationError as CvError } from 'class-validator';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import type Redis from 'ioredis';
import { AppModule } from './app.module';
import { REDIS } from './infra/infra.module';
import { LiveIoAdapter } from './live/live-io.adapter';
import { ErrorFilter } from './common/errors/error.filter';
import { ValidationError } from './common/errors/domain-errors';
import type { AppConfig } from './config/config';
import { runMigrations } from './database/data-source';
import { CLIENT_DIR } from './web/web.controller';

function flatten(errors: CvError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Paths served by controllers, never by the static client files. */
const NOT_ASSETS = /^\/(?:api|whip|whep|hls|socket\.io|health|metrics)(?:\/|$)/;

/** Request validation: unknown fields are refused, every message names its field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const message = fields.flatMap((f) =>
        f.problems.map((p) => (p.includes('should not exist') ? `${f.field}: unknown field` : p)),
      );
      return new ValidationError(message.join('; '), { fields });
    },
  });
}

/** Builds the configured HTTP app (used by main.ts and by the integration tests). */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl }), {
    bufferLogs: true,
    bodyParser: false,
    // Keeps req.rawBody: payment webhooks are HMAC-signed over the exact bytes received.
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimitBytes, extended: false });
  app.useBodyParser('text', {
    limit: config.http.bodyLimitBytes,
    type: ['application/sdp', 'application/trickle-ice-sdpfrag'],
  });
  app.enableCors({
    origin: config.http.corsOrigins === '*' ? true : config.http.corsOrigins,
    exposedHeaders: ['Location', 'ETag', 'Link', 'Accept-Patch', 'Retry-After'],
  });
  app.useWebSocketAdapter(new LiveIoAdapter(app, app.get<Redis | null>(REDIS), config.redisPrefix));
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ErrorFilter());

  // The demo client's files. express.static stats the disk for every request
  // it sees, so API, media and socket.io paths never reach it: that stat was a
  // thread-pool round trip on every order of a flash sale.
  const assets = express.static(CLIENT_DIR, { index: false, maxAge: '1h' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_ASSETS.test(req.path)) return next();
    assets(req, res, next);
  });
  app.use('/vendor/hls', express.static(path.dirname(require.resolve('hls.js/dist/hls.min.js'))));

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
