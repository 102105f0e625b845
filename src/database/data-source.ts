import { DataSource, DataSourceOptions } from 'typeorm';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { LiveRoom1763800200000 } from './migrations/1763800200000-LiveRoom';
import { Commerce1763800100000 } from './migrations/1763800100000-Commerce';
import { Reports1763800300000 } from './migrations/1763800300000-Reports';
import { ReserveUsageLookup1763800400000 } from './migrations/1763800400000-ReserveUsageLookup';
import { ReportsBuyerDelta1763800500000 } from './migrations/1763800500000-ReportsBuyerDelta';
import { OrdersHotPathForeignKeys1763800600000 } from './migrations/1763800600000-OrdersHotPathForeignKeys';
import { IndexProbes1763800700000 } from './migrations/1763800700000-IndexProbes';
import { HotFunctionsNoSeqScan1763800800000 } from './migrations/1763800800000-HotFunctionsNoSeqScan';
import { OptimisticReservation1763800900000 } from './migrations/1763800900000-OptimisticReservation';
import { JournalIndexProbe1763801000000 } from './migrations/1763801000000-JournalIndexProbe';
import { ReportBuyerSets1763801100000 } from './migrations/1763801100000-ReportBuyerSets';
import { ReservationRows1765000100000 } from './migrations/1765000100000-ReservationRows';

/**
 * Every migration, listed explicitly so the build and tests see the same set.
 * Entities are not listed here: the database layer imports no feature. Each
 * feature module registers its own (TypeOrmModule.forFeature) and the app
 * loads them (autoLoadEntities); migrations are plain SQL and need none.
 */
export const MIGRATIONS = [
  Initial1763800000000,
  Commerce1763800100000,
  LiveRoom1763800200000,
  Reports1763800300000,
  ReserveUsageLookup1763800400000,
  ReportsBuyerDelta1763800500000,
  OrdersHotPathForeignKeys1763800600000,
  IndexProbes1763800700000,
  HotFunctionsNoSeqScan1763800800000,
  OptimisticReservation1763800900000,
  JournalIndexProbe1763801000000,
  ReportBuyerSets1763801100000,
  ReservationRows1765000100000,
];

export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
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
