import { Pool } from 'pg';
import { Sql } from '../../src/database/sql';
import { TEST_DATABASE_URL } from '../support/env';

/** The connection a reservation lane keeps between its statements, on real PostgreSQL. */
describe('HeldConnection', () => {
  let pool: Pool;
  let sql: Sql;

  beforeEach(() => {
    pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
    sql = new Sql(pool);
  });

  afterEach(async () => {
    await pool.end();
  });

  const pid = async (q: { query<T>(s: string): Promise<T[]> }) =>
    (await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid;

  it('runs its statements on one backend and gives the connection back on release', async () => {
    const held = sql.hold();
    expect(held.held).toBe(false);
    const first = await pid(held);
    expect(await pid(held)).toBe(first);
    expect(held.held).toBe(true);
    expect(pool.idleCount).toBe(0);
    held.release();
    expect(held.held).toBe(false);
    expect(pool.idleCount).toBe(1);
    // The released connection serves the pool's other callers.
    expect(await pid(sql)).toBe(first);
  });

  it('released while a statement runs, gives the connection back when it ends', async () => {
    const held = sql.hold();
    await pid(held);
    const sleeping = held.query('SELECT pg_sleep(0.2)');
    held.release();
    expect(held.held).toBe(true);
    expect(pool.idleCount).toBe(0);
    await sleeping;
    expect(held.held).toBe(false);
    expect(pool.idleCount).toBe(1);
  });

  it('keeps the connection after a statement error, and the session still works', async () => {
    const held = sql.hold();
    const first = await pid(held);
    await expect(held.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
    expect(await pid(held)).toBe(first);
    held.release();
  });

  it('drops a connection whose backend was terminated and takes a fresh one', async () => {
    const held = sql.hold();
    const first = await pid(held);
    await sql.query('SELECT pg_terminate_backend($1)', [first]);
    // Terminated while idle: either the client's 'error' event (heard, so no
    // uncaught exception) or the next statement's failure drops it.
    await new Promise((r) => setTimeout(r, 100));
    const next = await pid(held).catch(() => pid(held));
    expect(next).not.toBe(first);
    held.release();
    // The dead connection left the pool: every connection it has now answers.
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    const pids = await Promise.all(clients.map(async (c) => (await c.query('SELECT 1 AS one')).rows[0].one));
    clients.forEach((c) => c.release());
    expect(pids).toEqual([1, 1]);
  });

  it('holds nothing until its first statement, and one acquisition serves overlapping first calls', async () => {
    const held = sql.hold();
    expect(pool.totalCount).toBe(0);
    const [a, b] = await Promise.all([pid(held), pid(held)]);
    expect(a).toBe(b);
    expect(pool.totalCount).toBe(1);
    held.release();
  });
});
