import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface LinkedUser {
  id: string;
  name: string;
  linkedAt: Date;
}

/** Merchant ↔ streamer links: which streamers may run streams that sell a shop's products. */
@Injectable()
export class MerchantLinksRepository {
  constructor(private readonly sql: Sql) {}

  async unlink(merchantId: string, streamerId: string): Promise<boolean> {
    const rows = await this.sql.query(
      'DELETE FROM merchant_streamers WHERE merchant_id = $1 AND streamer_id = $2 RETURNING streamer_id',
      [merchantId, streamerId],
    );
    return rows.length === 1;
  }

  async isLinked(merchantId: string, streamerId: string): Promise<boolean> {
    const rows = await this.sql.query(
      'SELECT 1 FROM merchant_streamers WHERE merchant_id = $1 AND streamer_id = $2',
      [merchantId, streamerId],
    );
    return rows.length === 1;
  }

  async streamersOf(merchantId: string): Promise<LinkedUser[]> {
    const rows = await this.sql.query<{ id: string; display_name: string; created_at: Date }>(
      `SELECT u.id, u.display_name, l.created_at FROM merchant_streamers l JOIN users u ON u.id = l.streamer_id
       WHERE l.merchant_id = $1 ORDER BY l.created_at, u.id`,
      [merchantId],
    );
    return rows.map((r) => ({ id: r.id, name: r.display_name, linkedAt: r.created_at }));
  }

  async merchantsOf(streamerId: string): Promise<LinkedUser[]> {
    const rows = await this.sql.query<{ id: string; display_name: string; created_at: Date }>(
      `SELECT u.id, u.display_name, l.created_at FROM merchant_streamers l JOIN users u ON u.id = l.merchant_id
       WHERE l.streamer_id = $1 ORDER BY l.created_at, u.id`,
      [streamerId],
    );
    return rows.map((r) => ({ id: r.id, name: r.display_name, linkedAt: r.created_at }));
  }
}
