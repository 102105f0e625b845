import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import type { Role } from '../../src/common/auth/roles';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './env';
import { createDatabase, deleteRedisPrefix as deleteRedisPrefixOf } from './services';
import { useFixture } from './fixture';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  roles: Role[];
}

/** The Authorization header of a user (or anything with a bearer token). */
export const bearer = (who: { token: string }): { Authorization: string } => ({
  Authorization: `Bearer ${who.token}`,
});

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  databaseUrl: string;
  http: TestAgent;
  /** Registers a fresh user; `admin` is granted directly in the database. */
  user(role?: Role, name?: string): Promise<TestUser>;
  /** Runs SQL on the test database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Use Redis (BullMQ, Redis pub/sub and state). Default true: CI runs the Redis path. */
  redis?: boolean;
  env?: Record<string, string>;
  /** Reuse an existing database (for several app processes on one database). */
  databaseUrl?: string;
  redisPrefix?: string;
}

/** A fresh database on the test server, migrated by the app itself. */
export const createTestDatabase = (): Promise<{ url: string; drop: () => Promise<void> }> =>
  createDatabase(TEST_DATABASE_URL, 'lc_test');

/** Deletes the keys a test app left under its Redis prefix. */
export const deleteRedisPrefix = (prefix: string): Promise<void> =>
  deleteRedisPrefixOf(prefix, TEST_REDIS_URL);

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const useRedis = opts.redis ?? true;
  const db = opts.databaseUrl
    ? { url: opts.databaseUrl, drop: async () => undefined }
    : await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-test-'));
  const redisPrefix = opts.redisPrefix ?? `lct${randomBytes(4).toString('hex')}`;
  // A known port, so PUBLIC_URL (used in WHIP/WHEP/HLS URLs) is the real address.
  const port = opts.env?.PORT ? Number(opts.env.PORT) : await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    ...(useRedis ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redisPrefix } : {}),
    DATA_DIR: dataDir,
    SCRYPT_COST: '1024',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    // Each app's mediasoup workers take any free WebRTC port: several apps share this machine.
    MEDIASOUP_RTC_PORT: '0',
    // Every test user registers from 127.0.0.1; the per-address limit has its own test.
    REGISTER_ADDRESS_BURST: '100000',
    ...opts.env,
  });
  const app = await createApp(config, db.url);
  await app.listen(port, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  let n = 0;

  const t: TestApp = {
    app,
    config,
    baseUrl,
    databaseUrl: db.url,
    http: request(baseUrl),
    async user(role: Role = 'viewer', name?: string) {
      const email = `${role}-${++n}-${randomBytes(3).toString('hex')}@test.livecart`;
      const selfRole = role === 'admin' ? 'viewer' : role;
      const res = await request(baseUrl)
        .post('/api/auth/register')
        .send({ email, password: 'password-123', name: name ?? `${role} ${n}`, role: selfRole })
        .expect(201);
      const body = res.body as { user: { id: string; roles: Role[] }; accessToken: string };
      if (role !== 'admin')
        return { id: body.user.id, email, token: body.accessToken, roles: body.user.roles };
      await pg.query(`UPDATE users SET roles = '{viewer,admin}' WHERE id = $1`, [body.user.id]);
      const login = await request(baseUrl)
        .post('/api/auth/login')
        .send({ email, password: 'password-123' })
        .expect(200);
      return {
        id: body.user.id,
        email,
        token: (login.body as { accessToken: string }).accessToken,
        roles: ['viewer', 'admin'],
      };
    },
    async sql<T>(text: string, params?: unknown[]) {
      return (await pg.query(text, params)).rows as T[];
    },
    async close() {
      await app.close();
      await pg.end();
      await db.drop();
      if (useRedis) await deleteRedisPrefix(redisPrefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Runs `test` against an app of its own, closed after it whatever happens. */
export async function withTestApp<T>(opts: TestAppOptions, test: (t: TestApp) => Promise<T>): Promise<T> {
  const t = await startTestApp(opts);
  try {
    return await test(t);
  } finally {
    await t.close();
  }
}

/** For a describe block: an app with `opts`, started before its tests and closed after them (see useFixture). */
export const useTestApp = (opts: TestAppOptions = {}): TestApp =>
  useFixture(
    'useTestApp',
    () => startTestApp(opts),
    (t) => t.close(),
  );

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
