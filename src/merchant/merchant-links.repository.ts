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

  /** The streamers a merchant has linked, oldest link first. */
  streamersOf(merchantId: string): Promise<LinkedUser[]> {
    return this.linksOf('merchant_id', merchantId);
  }

  /** The merchants a streamer is linked to, oldest link first. */
  merchantsOf(streamerId: string): Promise<LinkedUser[]> {
    return this.linksOf('streamer_id', streamerId);
  }

  /** The users at the other end of the links whose `side` is `id`. */
  private async linksOf(side: 'merchant_id' | 'streamer_id', id: string): Promise<LinkedUser[]> {
    const other = side === 'merchant_id' ? 'streamer_id' : 'merchant_id';
    const rows = await this.sql.query<{ id: string; display_name: string; created_at: Date }>(
      `SELECT u.id, u.display_name, l.created_at FROM merchant_streamers l JOIN users u ON u.id = l.${other}
       WHERE l.${side} = $1 ORDER BY l.created_at, u.id`,
      [id],
    );
    return rows.map((r) => ({ id: r.id, name: r.display_name, linkedAt: r.created_at }));
  }
}
