/**
 * The app under test for bench/chat.ts, in its own process: configured from
 * the environment like `npm start`, listening on a free loopback port, which
 * it reports to the parent over IPC.
 */
import 'reflect-metadata';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, config.database.url!);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.send?.({ type: 'ready', port });
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stop') void app.close().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench server failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
