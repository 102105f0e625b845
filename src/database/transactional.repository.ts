import { Injectable } from '@nestjs/common';
import { Sql, type SqlRunner } from './sql';

/**
 * A plain-SQL repository whose service runs several of its statements in one
 * transaction: `tx` hands out the transaction's runner (see Sql.tx).
 */
@Injectable()
export abstract class TransactionalRepository {
  constructor(protected readonly sql: Sql) {}

  tx<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T> {
    return this.sql.tx(fn);
  }
}
