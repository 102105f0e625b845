import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import type { AddressFields } from './address-fields';

export interface AddressRow extends AddressFields {
  id: string;
  userId: string;
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface Raw {
  id: string;
  user_id: string;
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string | null;
  country: string;
  phone: string | null;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const toRow = (r: Raw): AddressRow => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  line1: r.line1,
  line2: r.line2,
  city: r.city,
  region: r.region,
  postalCode: r.postal_code,
  country: r.country,
  phone: r.phone,
  isDefault: r.is_default,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const COLUMNS: Record<keyof AddressFields, string> = {
  name: 'name',
  line1: 'line1',
  line2: 'line2',
  city: 'city',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
  phone: 'phone',
};

/** A buyer's saved shipping addresses; at most one is the default. */
@Injectable()
export class AddressesRepository {
  constructor(private readonly sql: Sql) {}

  async list(userId: string): Promise<AddressRow[]> {
    const rows = await this.sql.query<Raw>(
      'SELECT * FROM buyer_addresses WHERE user_id = $1 ORDER BY is_default DESC, created_at, id',
      [userId],
    );
    return rows.map(toRow);
  }

  async find(userId: string, id: string): Promise<AddressRow | null> {
    const rows = await this.sql.query<Raw>('SELECT * FROM buyer_addresses WHERE id = $1 AND user_id = $2', [
      id,
      userId,
    ]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * Saves a new address unless the buyer has `max` (then null). The first
   * address, or one marked default, becomes the default. The buyer's rows are
   * locked so two saves cannot both pass the count or both be the default.
   */
  async create(
    userId: string,
    a: AddressFields,
    isDefault: boolean,
    max: number,
  ): Promise<AddressRow | null> {
    return this.sql.tx(async (q) => {
      const existing = await q.query<{ id: string }>(
        'SELECT id FROM buyer_addresses WHERE user_id = $1 ORDER BY id FOR UPDATE',
        [userId],
      );
      if (existing.length >= max) return null;
      const makeDefault = isDefault || existing.length === 0;
      if (makeDefault) {
        await q.query('UPDATE buyer_addresses SET is_default = false WHERE user_id = $1 AND is_default', [
          userId,
        ]);
      }
      const rows = await q.query<Raw>(
        `INSERT INTO buyer_addresses (user_id, name, line1, line2, city, region, postal_code, country, phone,
           is_default)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [userId, a.name, a.line1, a.line2, a.city, a.region, a.postalCode, a.country, a.phone, makeDefault],
      );
      return toRow(rows[0]);
    });
  }

  async update(
    userId: string,
    id: string,
    patch: Partial<AddressFields>,
    isDefault?: boolean,
  ): Promise<AddressRow | null> {
    return this.sql.tx(async (q) => {
      const sets: string[] = ['updated_at = now()'];
      const params: unknown[] = [id, userId];
      for (const [k, col] of Object.entries(COLUMNS) as [keyof AddressFields, string][]) {
        if (patch[k] === undefined) continue;
        params.push(patch[k]);
        sets.push(`${col} = $${params.length}`);
      }
      if (isDefault === true) {
        await q.query(
          'UPDATE buyer_addresses SET is_default = false WHERE user_id = $1 AND is_default AND id <> $2',
          [userId, id],
        );
        sets.push('is_default = true');
      }
      const rows = await q.query<Raw>(
        `UPDATE buyer_addresses SET ${sets.join(', ')} WHERE id = $1 AND user_id = $2 RETURNING *`,
        params,
      );
      return rows[0] ? toRow(rows[0]) : null;
    });
  }

  /** Removes an address; when it was the default, the oldest remaining one becomes the default. */
  async remove(userId: string, id: string): Promise<boolean> {
    return this.sql.tx(async (q) => {
      const rows = await q.query<{ is_default: boolean }>(
        'DELETE FROM buyer_addresses WHERE id = $1 AND user_id = $2 RETURNING is_default',
        [id, userId],
      );
      if (rows.length === 0) return false;
      if (rows[0].is_default) {
        await q.query(
          `UPDATE buyer_addresses SET is_default = true WHERE id =
             (SELECT id FROM buyer_addresses WHERE user_id = $1 ORDER BY created_at, id LIMIT 1)`,
          [userId],
        );
      }
      return true;
    });
  }

  async user(userId: string): Promise<{ id: string; name: string; email: string } | null> {
    const rows = await this.sql.query<{ id: string; display_name: string; email: string }>(
      'SELECT id, display_name, email FROM users WHERE id = $1',
      [userId],
    );
    return rows[0] ? { id: rows[0].id, name: rows[0].display_name, email: rows[0].email } : null;
  }
}
