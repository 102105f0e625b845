import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import {
  type EmbeddedApp as App,
  startEmbeddedApp,
  stopProcess as stop,
  waitHealthy as healthy,
} from '../support/processes';
import { freePort } from '../support/test-app';

/**
 * The embedded database as several processes meet it. Before: a second app
 * on the same data folder adopted the running PostgreSQL and stopped it when
 * it stopped, under the first app (which then answered 503 for good); and the
 * cluster let any local process in as superuser without a password. Now only
 * the process that started it stops it (and not while another app uses it),
 * an app whose database is gone starts it again, and connections need a
 * generated password kept in DATA_DIR/pg-password.
 */

/** A request that reads the database. */
const readsDatabase = (app: App) => request(app.base).get('/api/products?limit=1');

describe('the embedded database shared by several processes', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-shared-'));
  // Reachable by the `postgres` user that runs the cluster when tests run as root.
  fs.chmodSync(dataDir, 0o755);
  const pgDir = path.join(dataDir, 'pg');
  let pgPort = 0;
  const apps: App[] = [];

  const app = async () => {
    const a = startEmbeddedApp({
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: String(await freePort()),
    });
    apps.push(a);
    return a;
  };

  beforeAll(async () => {
    pgPort = await freePort();
  });
  afterAll(async () => {
    for (const a of apps) await stop(a);
    if (fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
      await (await EmbeddedPostgres.start({ dataDir: pgDir, port: pgPort })).stop();
    }
    if (fs.existsSync(pgDir)) fs.rmSync(fs.realpathSync(pgDir), { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps serving the first app when a second one on the same folder stops', async () => {
    const first = await app();
    await healthy(first);
    const second = await app();
    await healthy(second);
    expect(second.output()).toContain('adopting the embedded PostgreSQL');
    await stop(second);
    expect(second.child.exitCode).toBe(0);
    // The first app's database is still there, for good.
    for (let i = 0; i < 4; i++) {
      await readsDatabase(first).expect(200);
      await new Promise((r) => setTimeout(r, 500));
    }
    await request(first.base).get('/health').expect(200);
  }, 180_000);

  it('needs the generated password, over TCP and the Unix socket', async () => {
    const password = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(path.join(dataDir, 'pg-password')).mode & 0o777).toBe(0o600);
    const attempt = async (config: ConstructorParameters<typeof Client>[0]) => {
      const c = new Client(config);
      try {
        await c.connect();
        await c.query('SELECT password_hash FROM users LIMIT 1');
        return 'in';
      } catch (e) {
        return (e as Error).message;
      } finally {
        await c.end().catch(() => undefined);
      }
    };
    const base = { port: pgPort, user: 'postgres', database: 'postgres' };
    expect(await attempt({ ...base, host: '127.0.0.1' })).toMatch(/password/);
    expect(await attempt({ ...base, host: '127.0.0.1', password: 'guess' })).toMatch(
      /password authentication failed/,
    );
    expect(await attempt({ ...base, host: fs.realpathSync(pgDir) })).toMatch(/password/);
    expect(await attempt({ ...base, host: '127.0.0.1', password })).toBe('in');
  });

  it('starts the database again when it is stopped under a running app', async () => {
    const [first] = apps;
    // Someone stops the cluster by hand: a fast shutdown of its postmaster, waited for by
    // that process's pid. (Not `pg_ctl stop -w`: it waits for whatever postmaster.pid names,
    // and when the app's watchdog started the new postmaster between two of its looks, it
    // waited for that one, its full 60 s, and this test timed out in CI.)
    const pid = Number(
      fs.readFileSync(path.join(fs.realpathSync(pgDir), 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    process.kill(pid, 'SIGINT');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const t0 = Date.now(); alive() && Date.now() - t0 < 30_000;)
      await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
    // The app notices, starts it again and serves.
    for (const t0 = Date.now(); Date.now() - t0 < 30_000;) {
      const res = await readsDatabase(first).catch(() => undefined);
      if (res?.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await readsDatabase(first).expect(200);
    expect(first.output()).toContain('starting it again');
  }, 60_000);

  it('stops the database with the last app that owns it', async () => {
    const [first] = apps;
    await stop(first);
    // A clean exit, or else the app's own words (a shutdown timeout, an error while closing) as
    // what was received.
    expect(first.child.exitCode === 0 ? 0 : `exit ${first.child.exitCode}:\n${first.output()}`).toBe(0);
    expect(fs.existsSync(path.join(fs.realpathSync(pgDir), 'postmaster.pid'))).toBe(false);
  }, 60_000);
});
