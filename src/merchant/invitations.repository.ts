import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'revoked';

export interface InvitationRow {
  id: string;
  merchantId: string;
  merchantName: string;
  email: string;
  status: InvitationStatus;
  streamerId: string | null;
  streamerName: string | null;
  createdAt: Date;
  respondedAt: Date | null;
}

interface Raw {
  id: string;
  merchant_id: string;
  merchant_name: string;
  email: string;
  status: InvitationStatus;
  streamer_id: string | null;
  streamer_name: string | null;
  created_at: Date;
  responded_at: Date | null;
}

const SELECT = `SELECT i.id, i.merchant_id, m.display_name AS merchant_name, i.email, i.status, i.streamer_id,
    s.display_name AS streamer_name, i.created_at, i.responded_at
  FROM merchant_invitations i JOIN users m ON m.id = i.merchant_id LEFT JOIN users s ON s.id = i.streamer_id`;

const toRow = (r: Raw): InvitationRow => ({
  id: r.id,
  merchantId: r.merchant_id,
  merchantName: r.merchant_name,
  email: r.email,
  status: r.status,
  streamerId: r.streamer_id,
  streamerName: r.streamer_name,
  createdAt: r.created_at,
  respondedAt: r.responded_at,
});

/** Invitations from a shop to an email; accepting one links the streamer (merchant_streamers). */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly sql: Sql) {}

  /** The shop's open invitation to this email, made now if there was none; `created` says which. */
  async invite(merchantId: string, email: string): Promise<{ invitation: InvitationRow; created: boolean }> {
    const made = await this.sql.query<{ id: string }>(
      `INSERT INTO merchant_invitations (merchant_id, email) VALUES ($1, $2)
       ON CONFLICT (merchant_id, email) WHERE status = 'pending' DO NOTHING RETURNING id`,
      [merchantId, email],
    );
    const rows = await this.sql.query<Raw>(
      `${SELECT} WHERE i.merchant_id = $1 AND i.email = $2 AND i.status = 'pending'`,
      [merchantId, email],
    );
    return { invitation: toRow(rows[0]), created: made.length === 1 };
  }

  async ofMerchant(merchantId: string, limit: number): Promise<InvitationRow[]> {
    const rows = await this.sql.query<Raw>(
      `${SELECT} WHERE i.merchant_id = $1 ORDER BY i.created_at DESC, i.id LIMIT $2`,
      [merchantId, limit],
    );
    return rows.map(toRow);
  }

  /** Open invitations to an email (the streamer's own). */
  async pendingFor(email: string): Promise<InvitationRow[]> {
    const rows = await this.sql.query<Raw>(
      `${SELECT} WHERE i.email = $1 AND i.status = 'pending' ORDER BY i.created_at DESC, i.id`,
      [email],
    );
    return rows.map(toRow);
  }

  async find(id: string): Promise<InvitationRow | null> {
    const rows = await this.sql.query<Raw>(`${SELECT} WHERE i.id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** The shop withdraws an open invitation; false when it was not open. */
  async revoke(merchantId: string, id: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE merchant_invitations SET status = 'revoked', responded_at = now()
       WHERE id = $1 AND merchant_id = $2 AND status = 'pending' RETURNING id`,
      [id, merchantId],
    );
    return rows.length === 1;
  }

  /**
   * The streamer with the invited email answers. Accepting links them to the
   * shop in the same transaction. Null when there is no open invitation of
   * that id to that email.
   */
  async answer(
    id: string,
    streamer: { id: string; email: string },
    accept: boolean,
  ): Promise<{ merchantId: string; linkedAt: Date | null } | null> {
    return this.sql.tx(async (q) => {
      const rows = await q.query<{ merchant_id: string }>(
        `UPDATE merchant_invitations SET status = $4, streamer_id = $2, responded_at = now()
         WHERE id = $1 AND email = $3 AND status = 'pending' RETURNING merchant_id`,
        [id, streamer.id, streamer.email, accept ? 'accepted' : 'declined'],
      );
      if (rows.length === 0) return null;
      const merchantId = rows[0].merchant_id;
      if (!accept) return { merchantId, linkedAt: null };
      await q.query(
        `INSERT INTO merchant_streamers (merchant_id, streamer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [merchantId, streamer.id],
      );
      const [link] = await q.query<{ created_at: Date }>(
        'SELECT created_at FROM merchant_streamers WHERE merchant_id = $1 AND streamer_id = $2',
        [merchantId, streamer.id],
      );
      return { merchantId, linkedAt: link.created_at };
    });
  }
}
