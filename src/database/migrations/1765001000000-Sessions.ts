import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions that can end at once.
 *
 *  - refresh_tokens: the long-lived half of a sign-in. Only a SHA-256 of each
 *    token is stored. A refresh rotates it: the presented row is marked used
 *    and a new row of the same family is made; a used or revoked token shown
 *    again is a theft signal, and its whole family is revoked.
 *  - user_token_versions: a user's token version, carried by every access
 *    token. Raising it (roles changed, signed out everywhere, a stolen
 *    refresh token) ends every access token issued before. A separate table
 *    rather than a column of users, so a user without a row is at version 0
 *    and the users table is not rewritten; raised_at lets every replica read
 *    the raises of the last minutes in one indexed query.
 */
export class Sessions1765001000000 implements MigrationInterface {
  name = 'Sessions1765001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE refresh_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      family_id uuid NOT NULL,
      token_hash bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash)`);
    await q.query(`CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id)`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at)`);
    await q.query(`CREATE TABLE user_token_versions (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version > 0),
      raised_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX user_token_versions_raised_idx ON user_token_versions (raised_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_token_versions`);
    await q.query(`DROP TABLE refresh_tokens`);
  }
}
