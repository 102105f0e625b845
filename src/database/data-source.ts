import { DataSource, DataSourceOptions } from 'typeorm';
import { Baseline1765000000000 } from './migrations/1765000000000-Baseline';
import { ReservationRows1765000100000 } from './migrations/1765000100000-ReservationRows';
import { SchemaOwnedByMigrations1765000200000 } from './migrations/1765000200000-SchemaOwnedByMigrations';
import { ProductPages1765000300000 } from './migrations/1765000300000-ProductPages';
import { MerchantInvitations1765000400000 } from './migrations/1765000400000-MerchantInvitations';
import { BuyersAndShipping1765000500000 } from './migrations/1765000500000-BuyersAndShipping';
import { PaymentCancelled1765000600000 } from './migrations/1765000600000-PaymentCancelled';
import { PartialRefunds1765000700000 } from './migrations/1765000700000-PartialRefunds';
import { StreamReconnect1765000800000 } from './migrations/1765000800000-StreamReconnect';
import { Replays1765000900000 } from './migrations/1765000900000-Replays';
import { Sessions1765001000000 } from './migrations/1765001000000-Sessions';

/**
 * Every migration, listed explicitly so the build and tests see the same set.
 * Entities are not listed here: the database layer imports no feature. Each
 * feature module registers its own (TypeOrmModule.forFeature) and the app
 * loads them (autoLoadEntities); migrations are plain SQL and need none.
 */
export const MIGRATIONS = [
  Baseline1765000000000,
  ReservationRows1765000100000,
  SchemaOwnedByMigrations1765000200000,
  ProductPages1765000300000,
  MerchantInvitations1765000400000,
  BuyersAndShipping1765000500000,
  PaymentCancelled1765000600000,
  PartialRefunds1765000700000,
  StreamReconnect1765000800000,
  Replays1765000900000,
  Sessions1765001000000,
];

export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // The schema is the migrations' alone: TypeORM would otherwise install
    // uuid-ossp at connect for the entities' uuid keys (the columns default to
    // the built-in gen_random_uuid()).
    installExtensions: false,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000 },
  };
}

/** Arbitrary but fixed: serialises migrations when several replicas boot at once. */
const MIGRATION_LOCK_ID = 7_123_001;

/** Runs pending migrations under a Postgres advisory lock, each in its own transaction. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await qr.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await qr.release();
  }
}
