import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A buyer who leaves the provider's checkout cancels that payment: it is
 * recorded as such (like a declined one, the order keeps its hold and can be
 * paid again with a new session).
 */
export class PaymentCancelled1765000600000 implements MigrationInterface {
  name = 'PaymentCancelled1765000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_status_check,
      ADD CONSTRAINT payments_status_check
        CHECK (status IN ('open', 'succeeded', 'failed', 'cancelled', 'refunded', 'refund_due'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE payments SET status = 'failed' WHERE status = 'cancelled'`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_status_check,
      ADD CONSTRAINT payments_status_check
        CHECK (status IN ('open', 'succeeded', 'failed', 'refunded', 'refund_due'))`);
  }
}
