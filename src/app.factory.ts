import * as path from 'node:path';
import { ValidationPipe } from '@nestjs/common';
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

  app.useStaticAssets(CLIENT_DIR, { index: false, maxAge: '1h' });
  app.useStaticAssets(path.dirname(require.resolve('hls.js/dist/hls.min.js')), { prefix: '/vendor/hls/' });

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
