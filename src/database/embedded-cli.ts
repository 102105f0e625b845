import { EmbeddedPostgres } from './embedded-postgres';

/**
 * `node dist/src/database/embedded-cli.js start|stop <dir> <port>`: lets the
 * test script run the suite on the embedded Postgres when a machine has no
 * PostgreSQL server of its own.
 */
async function main(): Promise<void> {
  const [cmd, dir, port] = process.argv.slice(2);
  if (!cmd || !dir || !port) throw new Error('usage: embedded-cli start|stop <dir> <port>');
  const pg = await EmbeddedPostgres.start({
    dataDir: dir,
    port: Number(port),
    log: (m) => process.stderr.write(`${m}\n`),
  });
  if (cmd === 'stop') await pg.stop();
  else process.stdout.write(`${pg.url}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
