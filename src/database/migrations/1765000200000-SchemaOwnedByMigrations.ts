import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The uuid-ossp extension was installed by TypeORM at connect, not by a
 * migration, and nothing uses it (ids default to the built-in
 * gen_random_uuid()). The app no longer installs extensions, so a database
 * created by livecart 0.1.x drops it and matches a fresh one.
 */
export class SchemaOwnedByMigrations1765000200000 implements MigrationInterface {
  name = 'SchemaOwnedByMigrations1765000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP EXTENSION IF EXISTS "uuid-ossp"');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
  }
}
