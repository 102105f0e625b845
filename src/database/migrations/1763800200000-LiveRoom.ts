import { MigrationInterface, QueryRunner } from 'typeorm';

/** Chat, chat moderation and the per-stream audience numbers of the live room. */
export class LiveRoom1763800200000 implements MigrationInterface {
  name = 'LiveRoom1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_messages (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        stream_id uuid NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id),
        user_name text NOT NULL,
        text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 500),
        hidden boolean NOT NULL DEFAULT false,
        deleted_at timestamptz,
        deleted_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // History and room state read the visible lines of one stream, newest first.
    await q.query(
      `CREATE INDEX chat_messages_stream_seq_idx ON chat_messages (stream_id, seq DESC)
         WHERE deleted_at IS NULL AND NOT hidden`,
    );
    await q.query(`CREATE UNIQUE INDEX chat_messages_seq_key ON chat_messages (seq)`);

    await q.query(`
      CREATE TABLE chat_sanctions (
        stream_id uuid NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id),
        kind text NOT NULL CHECK (kind IN ('mute','ban')),
        until timestamptz,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, user_id, kind),
        CHECK ((kind = 'ban') = (until IS NULL))
      )`);

    await q.query(`
      CREATE TABLE chat_settings (
        stream_id uuid PRIMARY KEY REFERENCES streams(id) ON DELETE CASCADE,
        slow_mode_seconds integer NOT NULL DEFAULT 0 CHECK (slow_mode_seconds BETWEEN 0 AND 3600),
        blocked_words text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE stream_stats (
        stream_id uuid PRIMARY KEY REFERENCES streams(id) ON DELETE CASCADE,
        peak_viewers integer NOT NULL DEFAULT 0 CHECK (peak_viewers >= 0),
        unique_viewers integer NOT NULL DEFAULT 0 CHECK (unique_viewers >= 0),
        likes bigint NOT NULL DEFAULT 0 CHECK (likes >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stream_stats`);
    await q.query(`DROP TABLE chat_settings`);
    await q.query(`DROP TABLE chat_sanctions`);
    await q.query(`DROP TABLE chat_messages`);
  }
}
