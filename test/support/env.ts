/**
 * Where the integration tests find their real services. `.ci/run` and
 * `scripts/test.sh` set these; the defaults match the machine's own services.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
