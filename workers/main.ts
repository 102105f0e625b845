import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { createRootLogger, PinoLoggerService } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/config';
import { ConfigError } from '../src/config/env';
import { resolveDatabase } from '../src/database/database-url';

/**
 * `npm run start:worker`: a process that only runs queue processors (HLS
 * transcodes, order expiry, webhook deliveries). Run as many as you like, on
 * as many machines: BullMQ hands each job to one of them, and the job of a
 * worker that dies is picked up by another (stalled-job recovery).
 *
 * It only boots: the processors live beside their features (e.g.
 * src/hls/hls.processor.ts) and the ProcessorRegistry starts every
 * @QueueProcessor of the app module, as the app does in the embedded default.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = { ...loadConfig(), runWorkersInProcess: true };
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  if (!config.redisUrl) {
    process.stderr.write(
      'A separate worker process needs REDIS_URL (without it the app runs the workers itself)\n',
    );
    process.exit(78);
  }
  const db = await resolveDatabase(config, () => undefined);
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ config, databaseUrl: db.url }), {
    bufferLogs: true,
  });
  ctx.useLogger(new PinoLoggerService(createRootLogger(config.logLevel)));
  ctx.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await ctx.init();
  db.embedded?.watch((e) => {
    process.stderr.write(
      `worker: the embedded PostgreSQL is gone and could not be restarted: ${e.message}\n`,
    );
    process.exit(1);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(
    `worker failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
