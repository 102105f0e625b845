import { DataSource, DataSourceOptions } from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { ProductEntity } from '../catalog/product.entity';
import { StreamEntity } from '../streams/stream.entity';
import { ChatMessageEntity } from '../chat/chat-message.entity';
import { ChatSanctionEntity } from '../chat/chat-sanction.entity';
import { ChatSettingsEntity } from '../chat/chat-settings.entity';
import { StreamStatsEntity } from '../live/stream-stats.entity';
import { Baseline1765000000000 } from './migrations/1765000000000-Baseline';

/** Every entity and migration, listed explicitly so the build and tests see the same set. */
export const ENTITIES = [
  UserEntity,
  ProductEntity,
  StreamEntity,
  ChatMessageEntity,
  ChatSanctionEntity,
  ChatSettingsEntity,
  StreamStatsEntity,
];
export const MIGRATIONS = [Baseline1765000000000];

export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
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
