import type { AppConfig } from '../config/config';
import type { Sql, Statement } from '../database/sql';
import { LocalPubSub } from '../infra/pubsub';
import { TokenVersions, TOKEN_RAISES_POLL_MS, USER_KNOWN_MS } from './token-versions';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const GHOST = '33333333-3333-4333-8333-333333333333';

/** user_token_versions and users in memory, answering the statements TokenVersions sends. */
class FakeSql {
  users = new Set([A, B]);
  versions = new Map<string, { version: number; at: Date }>();
  lookups: string[][] = [];

  async query<T>(stmt: Statement | string, values?: unknown[]): Promise<T[]> {
    const text = typeof stmt === 'string' ? stmt : stmt.text;
    const args = (typeof stmt === 'string' ? values : stmt.values) ?? [];
    if (text.includes('ANY($1::uuid[])')) {
      const ids = args[0] as string[];
      this.lookups.push(ids);
      return ids
        .filter((id) => this.users.has(id))
        .map((id) => ({ id, version: this.versions.get(id)?.version ?? 0 })) as T[];
    }
    if (text.includes('WHERE raised_at >= $1')) {
      const from = args[0] as Date;
      return [...this.versions]
        .filter(([, v]) => v.at >= from)
        .map(([userId, v]) => ({ userId, version: v.version, at: v.at })) as T[];
    }
    if (text.startsWith('INSERT INTO user_token_versions')) {
      const id = args[0] as string;
      const v = { version: (this.versions.get(id)?.version ?? 0) + 1, at: new Date() };
      this.versions.set(id, v);
      return [{ version: v.version, at: v.at }] as T[];
    }
    throw new Error(`unexpected statement ${text}`);
  }
}

const config = { auth: { tokenTtlSeconds: 900 } } as AppConfig;
const user = (id: string, ver: number) => ({ id, email: '', name: '', roles: [], ver, exp: 0 }) as never;

describe('TokenVersions', () => {
  let sql: FakeSql;
  let versions: TokenVersions;
  let other: TokenVersions;
  const pubsub = new LocalPubSub();

  beforeEach(async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    sql = new FakeSql();
    versions = new TokenVersions(sql as unknown as Sql, pubsub, config);
    other = new TokenVersions(sql as unknown as Sql, pubsub, config);
    await versions.onModuleInit();
    await other.onModuleInit();
  });
  afterEach(async () => {
    await versions.onModuleDestroy();
    await other.onModuleDestroy();
    jest.useRealTimers();
  });

  it('looks a user up once, for every request of the same turn, then answers from memory', async () => {
    const answers = await Promise.all([
      versions.isCurrent(user(A, 0)),
      versions.isCurrent(user(A, 0)),
      versions.isCurrent(user(B, 0)),
    ]);
    expect(answers).toEqual([true, true, true]);
    expect(sql.lookups).toEqual([[A, B]]);
    expect(versions.isCurrent(user(A, 0))).toBe(true);
    jest.advanceTimersByTime(USER_KNOWN_MS + 1);
    await expect(versions.isCurrent(user(A, 0))).resolves.toBe(true);
    expect(sql.lookups).toHaveLength(2);
  });

  it('refuses a user that does not exist', async () => {
    await expect(versions.isCurrent(user(GHOST, 0))).resolves.toBe(false);
    await expect(versions.isCurrent(user('not-a-uuid', 0))).resolves.toBe(false);
  });

  it('leaves an unseen user to the handler when the route confirms users itself, but never a revoked token', async () => {
    expect(versions.isCurrent(user(GHOST, 0), true)).toBe('unconfirmed');
    expect(versions.isCurrent(user('not-a-uuid', 0), true)).toBe(false);
    expect(sql.lookups).toEqual([]);
    await versions.raise(B);
    expect(versions.isCurrent(user(B, 0), true)).toBe(false);
    expect(versions.isCurrent(user(B, 1), true)).toBe('unconfirmed');
    versions.confirmed([B]);
    expect(versions.isCurrent(user(B, 1), true)).toBe(true);
    expect(versions.isCurrent(user(B, 1))).toBe(true);
    expect(sql.lookups).toEqual([]);
  });

  it('ends earlier tokens at once here, and on other replicas through pub/sub', async () => {
    await Promise.all([versions.isCurrent(user(A, 0)), other.isCurrent(user(A, 0))]);
    const told: [string, number][] = [];
    other.onRevoked((id, v) => told.push([id, v]));
    expect(await versions.raise(A)).toBe(1);
    expect(versions.isCurrent(user(A, 0))).toBe(false);
    expect(versions.isCurrent(user(A, 1))).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(other.isCurrent(user(A, 0))).toBe(false);
    expect(told).toEqual([[A, 1]]);
  });

  it('catches a raise whose pub/sub message was lost at the next poll', async () => {
    await other.isCurrent(user(B, 0));
    sql.versions.set(B, { version: 2, at: new Date() }); // raised elsewhere, message lost
    expect(other.isCurrent(user(B, 0))).toBe(true);
    jest.advanceTimersByTime(TOKEN_RAISES_POLL_MS);
    await new Promise((r) => setImmediate(r));
    expect(other.isCurrent(user(B, 1))).toBe(false);
    expect(other.isCurrent(user(B, 2))).toBe(true);
  });
});
