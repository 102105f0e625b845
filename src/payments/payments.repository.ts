import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '../database/sql';
import { TransactionalRepository } from '../database/transactional.repository';

export type PaymentStatus = 'open' | 'succeeded' | 'failed' | 'cancelled' | 'refunded' | 'refund_due';

export interface Payment {
  id: string;
  orderId: string;
  provider: string;
  sessionId: string;
  checkoutUrl: string;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
}

interface Row {
  id: string;
  order_id: string;
  provider: string;
  session_id: string;
  checkout_url: string;
  status: PaymentStatus;
  amount_cents: string;
  currency: string;
}

const toPayment = (r: Row): Payment => ({
  id: r.id,
  orderId: r.order_id,
  provider: r.provider,
  sessionId: r.session_id,
  checkoutUrl: r.checkout_url,
  status: r.status,
  amountCents: Number(r.amount_cents),
  currency: r.currency,
});

@Injectable()
export class PaymentsRepository extends TransactionalRepository {
  async openForOrder(orderId: string, provider: string): Promise<Payment | null> {
    const rows = await this.sql.query<Row>(
      `SELECT * FROM payments WHERE order_id = $1 AND provider = $2 AND status = 'open'
       ORDER BY created_at DESC LIMIT 1`,
      [orderId, provider],
    );
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async succeededForOrder(orderId: string): Promise<Payment | null> {
    const rows = await this.sql.query<Row>(
      `SELECT * FROM payments WHERE order_id = $1 AND status IN ('succeeded', 'refund_due')
       ORDER BY created_at DESC LIMIT 1`,
      [orderId],
    );
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async insert(p: Omit<Payment, 'id' | 'status'>): Promise<Payment> {
    const rows = await this.sql.query<Row>(
      `INSERT INTO payments (order_id, provider, session_id, checkout_url, status, amount_cents, currency)
       VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING *`,
      [p.orderId, p.provider, p.sessionId, p.checkoutUrl, p.amountCents, p.currency],
    );
    return toPayment(rows[0]);
  }

  async bySession(
    provider: string,
    sessionId: string,
    q: SqlRunner = this.sql,
    lock = false,
  ): Promise<Payment | null> {
    const rows = await q.query<Row>(
      `SELECT * FROM payments WHERE provider = $1 AND session_id = $2${lock ? ' FOR NO KEY UPDATE' : ''}`,
      [provider, sessionId],
    );
    return rows[0] ? toPayment(rows[0]) : null;
  }

  /** Records an applied webhook event; false when it was already applied (a replay). */
  async recordEvent(q: SqlRunner, provider: string, eventId: string, type: string): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO payment_events (provider, event_id, type) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [provider, eventId, type],
    );
    return rows.length === 1;
  }

  async setStatus(id: string, status: PaymentStatus, q: SqlRunner = this.sql): Promise<void> {
    await q.query('UPDATE payments SET status = $2, updated_at = now() WHERE id = $1', [id, status]);
  }
}
