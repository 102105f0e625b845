import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { spawnTs, type TsProcess } from '../support/processes';
import { freePort } from '../support/test-app';
import { sleep } from '../support/wait';

/**
 * The embedded default as a user runs it: the real entry point, no
 * DATABASE_URL, no REDIS_URL. Killing the app with SIGKILL loses nothing
 * that was committed.
 */
function startApp(env: Record<string, string>): TsProcess {
  return spawnTs('src/main.ts', [], {
    ...env,
    DATABASE_URL: '',
    REDIS_URL: '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
  });
}

async function waitHealthy(base: string, app: TsProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (app.child.exitCode !== null) throw new Error(`app exited early:\n${app.output()}`);
    try {
      const r = await request(base).get('/health');
      if (r.status === 200) return;
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  throw new Error(`app did not become healthy:\n${app.output()}`);
}

describe('embedded default', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-embedded-'));
  let pgPort: number;

  afterAll(async () => {
    // Stop the Postgres the killed app left running, then remove its data.
    const pg = await EmbeddedPostgres.start({ dataDir: path.join(dataDir, 'pg'), port: pgPort });
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps committed data when the app is killed with SIGKILL', async () => {
    pgPort = await freePort();
    const port = await freePort();
    const env = {
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: String(port),
      HOST: '127.0.0.1',
      MEDIASOUP_RTC_PORT: '0',
    };
    const base = `http://127.0.0.1:${port}`;

    const first = startApp(env);
    await waitHealthy(base, first);
    const reg = await request(base)
      .post('/api/auth/register')
      .send({ email: 'keep@example.com', password: 'password-123', name: 'Keep', role: 'merchant' })
      .expect(201);
    const product = await request(base)
      .post('/api/products')
      .set('Authorization', `Bearer ${reg.body.accessToken}`)
      .send({ title: 'Survivor', priceCents: 100, currency: 'EUR', stock: 7 })
      .expect(201);

    first.child.kill('SIGKILL');
    await first.exited;

    const second = startApp(env);
    try {
      await waitHealthy(base, second);
      const login = await request(base)
        .post('/api/auth/login')
        .send({ email: 'keep@example.com', password: 'password-123' })
        .expect(200);
      // The JWT secret survived too: the old token still works.
      await request(base)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${reg.body.accessToken}`)
        .expect(200);
      expect(login.body.user.roles).toEqual(['viewer', 'merchant']);
      const read = await request(base).get(`/api/products/${product.body.id}`).expect(200);
      expect(read.body).toMatchObject({ title: 'Survivor', stock: 7, currency: 'EUR' });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    // Graceful shutdown: a clean exit, and the embedded database stopped with it.
    expect(second.child.exitCode).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
