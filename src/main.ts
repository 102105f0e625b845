import 'reflect-metadata';
import { createApp } from './app.factory';
import { loadConfig } from './config/config';
import { ConfigError } from './config/env';
import { resolveDatabase } from './database/database-url';

const log = (msg: string) =>
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg })}\n`);

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const db = await resolveDatabase(config, log);
  const app = await createApp(config, db.url);
  await app.listen(config.http.port, config.http.host);
  // The embedded database stopped under us (by hand, or a crash) and cannot be started
  // again: exit loudly, so a supervisor restarts the app rather than it answering 503.
  db.embedded?.watch((e) => {
    process.stderr.write(
      `livecart: the embedded PostgreSQL is gone and could not be restarted: ${e.message}\n`,
    );
    process.exit(1);
  });
  log(`livecart listening on ${config.http.publicUrl} (API docs: ${config.http.publicUrl}/api/docs)`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    void (async () => {
      try {
        db.embedded?.unwatch();
        await app.close(); // stops HTTP/socket servers, queues, SFU workers, ffmpeg children
        // Stops the embedded database only if this process started it and nobody else uses it.
        await db.embedded?.release();
        process.exit(0);
      } catch (e) {
        log(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(
    `livecart failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
