import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether an ended stream has a replay (its HLS playlists got EXT-X-ENDLIST
 * and are kept): set by the HLS worker when it closes them, cleared when the
 * retention removes them, so replays can be listed without reading storage.
 * Replays made before this version are found by the hourly HLS cleanup.
 */
export class Replays1765000900000 implements MigrationInterface {
  name = 'Replays1765000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE streams ADD COLUMN replay_ready boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX streams_replays_idx ON streams (ended_at DESC) WHERE replay_ready`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX streams_replays_idx');
    await q.query('ALTER TABLE streams DROP COLUMN replay_ready');
  }
}
