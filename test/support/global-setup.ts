import { ensureClientBuild } from './client-build';
import Redis from 'ioredis';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './env';

/** Fails fast, with a clear message, when the real services are not there. */
export default async function globalSetup(): Promise<void> {
  ensureClientBuild();
  const pg = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (e) {
    throw new Error(`Integration tests need PostgreSQL at ${TEST_DATABASE_URL}: ${(e as Error).message}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Integration tests need Redis at ${TEST_REDIS_URL}: ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
