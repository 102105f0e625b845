import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

/** A refresh token as the database keeps it: only its SHA-256. */
export interface RefreshTokenRow {
  id: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

/** A new refresh token: 32 random bytes, shown to the client once. */
export function newRefreshToken(): string {
  return `lcr_${randomBytes(32).toString('base64url')}`;
}

export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly sql: Sql) {}

  async insert(t: { userId: string; familyId: string; token: string; expiresAt: Date }): Promise<void> {
    await this.sql.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)`,
      [t.userId, t.familyId, hashToken(t.token), t.expiresAt],
    );
  }

  async find(token: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await this.sql.query<RefreshTokenRow>(
      `SELECT id, user_id AS "userId", family_id AS "familyId", expires_at AS "expiresAt",
              used_at AS "usedAt", revoked_at AS "revokedAt"
       FROM refresh_tokens WHERE token_hash = $1`,
      [hashToken(token)],
    );
    return row;
  }

  /** Marks a token used, once: false when it was used, revoked or expired meanwhile. */
  async markUsed(id: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE refresh_tokens SET used_at = now()
       WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
       RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.sql.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId],
    );
  }

  async revokeUser(userId: string): Promise<void> {
    await this.sql.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
  }

  /** Forgets tokens expired for a day (kept that long to recognise a late reuse). */
  async deleteExpired(): Promise<number> {
    const rows = await this.sql.query(
      `DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day' RETURNING id`,
    );
    return rows.length;
  }
}
