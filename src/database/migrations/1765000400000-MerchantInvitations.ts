import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merchant no longer links a streamer at once: it invites an email, and
 * the streamer with that email accepts (the link is made then) or declines.
 * An invitation to an email without an account waits for the account.
 */
export class MerchantInvitations1765000400000 implements MigrationInterface {
  name = 'MerchantInvitations1765000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE merchant_invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      merchant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      email text NOT NULL CHECK (email = lower(email)),
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
      streamer_id uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      responded_at timestamptz,
      CHECK ((status = 'pending') = (responded_at IS NULL))
    )`);
    // One open invitation per shop and email; answered ones stay as history.
    await q.query(`CREATE UNIQUE INDEX merchant_invitations_pending_key ON merchant_invitations (merchant_id, email)
      WHERE status = 'pending'`);
    await q.query(`CREATE INDEX merchant_invitations_email_idx ON merchant_invitations (email)
      WHERE status = 'pending'`);
    await q.query(
      `CREATE INDEX merchant_invitations_merchant_idx ON merchant_invitations (merchant_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE merchant_invitations');
  }
}
