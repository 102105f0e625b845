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

  it('runs a transaction on its own connection: committed on success, rolled back on failure', async () => {
    const held = sql.hold();
    const first = await pid(held);
    await held.query('CREATE TEMP TABLE held_tx (n int)');
    const inTx = await held.tx(async (q) => {
      await q.query('INSERT INTO held_tx VALUES (1)');
      return pid(q);
    });
    expect(inTx).toBe(first);
    await expect(
      held.tx(async (q) => {
        await q.query('INSERT INTO held_tx VALUES (2)');
        await q.query('SELECT 1 / 0');
      }),
    ).rejects.toMatchObject({ code: '22012' });
    // Same session (temp tables are per session), only the committed row.
    expect(await held.query<{ n: number }>('SELECT n FROM held_tx')).toEqual([{ n: 1 }]);
    expect(await pid(held)).toBe(first);
    held.release();
  });

  it('runs a deadlock victim again', async () => {
    await sql.query('CREATE TABLE IF NOT EXISTS held_dl (id int PRIMARY KEY, n int)');
    await sql.query('TRUNCATE held_dl');
    await sql.query('INSERT INTO held_dl VALUES (1, 0), (2, 0)');
    const other = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    const held = sql.hold();
    let runs = 0;
    try {
      // Two transactions lock the rows in opposite orders: PostgreSQL aborts one.
      const a = held.tx(async (q) => {
        runs++;
        await q.query('UPDATE held_dl SET n = n + 1 WHERE id = 1');
        await q.query('SELECT pg_sleep(0.3)');
        await q.query('UPDATE held_dl SET n = n + 1 WHERE id = 2');
      });
      const b = new Sql(other).tx(async (q) => {
        runs++;
        await q.query('UPDATE held_dl SET n = n + 10 WHERE id = 2');
        await q.query('SELECT pg_sleep(0.3)');
        await q.query('UPDATE held_dl SET n = n + 10 WHERE id = 1');
      });
      await Promise.all([a, b]);
      // Both committed in the end, each once, and one of them ran twice.
      expect(await sql.query('SELECT id, n FROM held_dl ORDER BY id')).toEqual([
        { id: 1, n: 11 },
        { id: 2, n: 11 },
      ]);
      expect(runs).toBe(3);
    } finally {
      held.release();
      await other.end();
      await sql.query('DROP TABLE held_dl');
    }
  });
});
