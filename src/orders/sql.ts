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

/** Deadlock and serialization failures: the transaction can simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Thin access to the pool TypeORM already owns, for the commerce repositories.
 * Their hot statements are multi-row (unnest arrays, conditional updates,
 * row locks) and gain nothing from an entity layer, so they are plain
 * parametrised SQL; the schema lives in the Commerce migration.
 */
export class Sql implements SqlRunner {
  constructor(private readonly pool: Pool) {}

  static fromDataSource(ds: DataSource): Sql {
    return new Sql((ds.driver as PostgresDriver).master as Pool);
  }

  async query<T>(stmt: Statement | string, values?: unknown[]): Promise<T[]> {
    const cfg = toConfig(stmt, values);
    const res = await this.pool.query(cfg);
    return res.rows as T[];
  }

  /**
   * Runs `fn` in a READ COMMITTED transaction on one connection. Retried (up to
   * three tries) when Postgres aborts it as a deadlock victim.
   */
  async tx<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client: PoolClient = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const runner: SqlRunner = {
          query: async <R>(stmt: Statement | string, values?: unknown[]) =>
            (await client.query(toConfig(stmt, values))).rows as R[],
        };
        const out = await fn(runner);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (e as { code?: string }).code;
        if (attempt < 3 && code !== undefined && RETRYABLE.has(code)) continue;
        throw e;
      } finally {
        client.release(broken);
      }
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
