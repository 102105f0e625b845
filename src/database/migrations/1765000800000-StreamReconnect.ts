import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A live stream whose publisher is gone (tab closed, network lost, WHIP
 * DELETE, media worker crash) waits for it until `reconnect_deadline`, still
 * live; a publisher that comes back in time resumes the same stream, and one
 * that does not ends it. Every replica's sweep ends the streams whose
 * deadline passed, hence the partial index.
 */
export class StreamReconnect1765000800000 implements MigrationInterface {
  name = 'StreamReconnect1765000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE streams ADD COLUMN publisher_lost_at timestamptz,
      ADD COLUMN reconnect_deadline timestamptz`);
    await q.query(`CREATE INDEX streams_reconnect_deadline_idx ON streams (reconnect_deadline)
      WHERE reconnect_deadline IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX streams_reconnect_deadline_idx');
    await q.query('ALTER TABLE streams DROP COLUMN publisher_lost_at, DROP COLUMN reconnect_deadline');
  }
}
