import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Sql } from './sql';

/**
 * The SQL gateway of every repository that writes plain SQL: one `Sql` over
 * the pool TypeORM owns, provided once for the whole app.
 */
@Global()
@Module({
  providers: [{ provide: Sql, inject: [DataSource], useFactory: Sql.fromDataSource }],
  exports: [Sql],
})
export class DatabaseModule {}
