import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** One SQL statement: text and parameters, optionally named so Postgres plans it once per connection. */
export interface Statement {
  text: string;
  values?: unknown[];
  /** Prepared-statement name for hot paths (one parse and plan per connection instead of per call). */
  name?: string;
}

export interface SqlRunner {
  query<T>(stmt: Statement | string, values?: unknown[]): Promise<T[]>;
}

/** A runner that can also run a transaction on its connection. */
export interface SqlSession extends SqlRunner {
  /**
   * Runs `fn` in a READ COMMITTED transaction on one connection. Retried (up
   * to three tries) when PostgreSQL aborts it as a deadlock or serialization
   * victim, so `fn` must be safe to run again.
   */
  tx<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T>;
}

/** Deadlock and serialization failures: the transaction can simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const TX_ATTEMPTS = 3;

/**
 * Thin access to the pool TypeORM already owns, for the repositories that
 * write plain SQL: their hot statements are multi-row (unnest arrays,
 * conditional updates, row locks) and gain nothing from an entity layer.
 */
export class Sql implements SqlSession {
  constructor(private readonly pool: Pool) {}

  static fromDataSource(ds: DataSource): Sql {
    return new Sql((ds.driver as PostgresDriver).master as Pool);
  }

  /** A connection to keep between statements (see HeldConnection). */
  hold(): HeldConnection {
    return new HeldConnection(this.pool);
  }

  async query<T>(stmt: Statement | string, values?: unknown[]): Promise<T[]> {
    const cfg = toConfig(stmt, values);
    const res = await this.pool.query(cfg);
    return res.rows as T[];
  }

  tx<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T> {
    return retryingVictims(async () => {
      const client: PoolClient = await this.pool.connect();
      let broken = false;
      try {
        return await transaction(client, fn, () => (broken = true));
      } finally {
        client.release(broken);
      }
    });
  }
}

/**
 * One pooled connection kept between statements, for a run of statements that
 * follow each other (a reservation lane while it has batches to run). The
 * pool hands out a connection on `process.nextTick`, and a tick queued from a
 * promise continuation runs only after every continuation queued before it:
 * when a batch completes, that is all of its answers being written. A held
 * connection sends the next batch's statement at once instead
 * (docs/architecture.md, Commerce). Statements must not overlap: one caller
 * at a time; a transaction (`tx`) counts as one statement.
 *
 * `release()` gives the connection back; a connection that fails (a broken
 * socket, or an error PostgreSQL raises for the whole session) is dropped
 * from the pool, and the next statement takes a fresh one.
 */
export class HeldConnection implements SqlSession {
  private client?: PoolClient;
  private acquiring?: Promise<PoolClient>;
  /** Statements in flight (one, or two when a failed batch's read is still finishing). */
  private running = 0;
  /** release() came while a statement was in flight: release when it ends. */
  private releaseWhenDone = false;

  constructor(private readonly pool: Pool) {}

  get held(): boolean {
    return this.client !== undefined;
  }

  query<T>(stmt: Statement | string, values?: unknown[]): Promise<T[]> {
    return this.use(async (client) => (await client.query(toConfig(stmt, values))).rows as T[]);
  }

  tx<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T> {
    return retryingVictims(() =>
      this.use((client) =>
        transaction(client, fn, () => this.drop(client, new Error('ROLLBACK failed: session dropped'))),
      ),
    );
  }

  /** Runs `work` on the held connection (taking one first if none is held). */
  private async use<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.running++;
    this.releaseWhenDone = false;
    try {
      const client = this.client ?? (await (this.acquiring ??= this.acquire()));
      try {
        return await work(client);
      } catch (e) {
        if (!isStatementError(e)) this.drop(client, e);
        throw e;
      }
    } finally {
      if (--this.running === 0 && this.releaseWhenDone) this.release();
    }
  }

  /** Gives the connection back to the pool, now or when the statement in flight ends. */
  release(): void {
    if (this.running > 0) {
      this.releaseWhenDone = true;
      return;
    }
    this.releaseWhenDone = false;
    this.detach();
  }

  private async acquire(): Promise<PoolClient> {
    try {
      const client = await this.pool.connect();
      // A checked-out client that breaks emits 'error' on itself; unheard, that
      // would be an uncaught exception.
      client.on('error', this.onError);
      this.client = client;
      return client;
    } finally {
      this.acquiring = undefined;
    }
  }

  private readonly onError = (e: Error): void => {
    if (this.client) this.drop(this.client, e);
  };

  /** Drops `client` from the pool if it is still the one held (a broken one is never handed out again). */
  private drop(client: PoolClient, e: unknown): void {
    if (this.client === client) this.detach(e instanceof Error ? e : new Error(String(e)));
  }

  /** Stops holding the client: back to the pool, or destroyed when `err` is given. */
  private detach(err?: Error): void {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    client.off('error', this.onError);
    client.release(err);
  }
}

/**
 * An error that failed one statement and left its session usable: PostgreSQL
 * answered with a SQLSTATE outside the classes that end a session (08
 * connection exception, 57 operator intervention such as an administrator's
 * termination, 58 system error, XX internal error).
 */
function isStatementError(e: unknown): boolean {
  const code = pgCode(e);
  return code !== undefined && !/^(08|57|58|XX)/.test(code);
}

/** BEGIN, `fn`, COMMIT; ROLLBACK when anything fails (`onBroken` when even that fails). */
async function transaction<T>(
  client: PoolClient,
  fn: (q: SqlRunner) => Promise<T>,
  onBroken: () => void,
): Promise<T> {
  await client.query('BEGIN');
  try {
    const out = await fn({
      query: async <R>(stmt: Statement | string, values?: unknown[]) =>
        (await client.query(toConfig(stmt, values))).rows as R[],
    });
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(onBroken);
    throw e;
  }
}

/** Runs `run` again when PostgreSQL chose it as a deadlock or serialization victim. */
async function retryingVictims<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      const code = pgCode(e);
      if (attempt < TX_ATTEMPTS && code !== undefined && RETRYABLE.has(code)) continue;
      throw e;
    }
  }
}

function toConfig(stmt: Statement | string, values?: unknown[]): QueryConfig {
  if (typeof stmt === 'string') return { text: stmt, values };
  return { text: stmt.text, values: stmt.values ?? values, name: stmt.name };
}

/** Postgres error code of a failed query, if any. */
export function pgCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}
