/**
 * The app under test for bench/chat.ts, in its own process: configured from
 * the environment like `npm start`, listening on a free loopback port, which
 * it reports to the parent over IPC.
 */
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, config.database.url!);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.send?.({ type: 'ready', port });
  // How long events wait for the loop (a fan-out to thousands of sockets runs in one go).
  const loop = monitorEventLoopDelay({ resolution: 5 });
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'loop:start') {
      loop.reset();
      loop.enable();
    } else if (m?.type === 'loop:stop') {
      loop.disable();
      const ms = (ns: number) => Math.round(ns / 1e6);
      process.send?.({
        type: 'loop',
        p50: ms(loop.percentile(50)),
        p99: ms(loop.percentile(99)),
        max: ms(loop.max),
      });
    } else if (m?.type === 'stop') {
      void app.close().then(() => process.exit(0));
    }
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench server failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
