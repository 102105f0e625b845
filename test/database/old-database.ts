import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { withClient } from './databases';

/**
 * Makes an empty database what livecart 0.1.x left: its schema and its
 * `migrations` rows (fixtures/README.md says how the file was made). On a
 * connection of its own: the dump empties the session's search_path.
 */
export async function restore01(url: string): Promise<void> {
  const sql = gunzipSync(fs.readFileSync(path.join(__dirname, 'fixtures', 'livecart-0.1.sql.gz'))).toString(
    'utf8',
  );
  await withClient(url, (c) => c.query(sql));
}

/** Ids of the rows seedOld01 inserts. */
export const OLD = {
  merchant: '0a000000-0000-4000-8000-000000000001',
  streamer: '0a000000-0000-4000-8000-000000000002',
  buyer1: '0a000000-0000-4000-8000-000000000003',
  buyer2: '0a000000-0000-4000-8000-000000000004',
  admin: '0a000000-0000-4000-8000-000000000005',
  lamp: '0b000000-0000-4000-8000-000000000001',
  mug: '0b000000-0000-4000-8000-000000000002',
  ended: '0c000000-0000-4000-8000-000000000001',
  planned: '0c000000-0000-4000-8000-000000000002',
  oldPin: '0d000000-0000-4000-8000-000000000001',
  salePin: '0d000000-0000-4000-8000-000000000002',
  pending: '0e000000-0000-4000-8000-000000000001',
  paid: '0e000000-0000-4000-8000-000000000002',
  cancelled: '0e000000-0000-4000-8000-000000000003',
  webhook: '0f000000-0000-4000-8000-000000000001',
};

/**
 * Data in every table of the 0.1.x schema, written through SQL the way 0.1.x
 * wrote it: orders then their items in one statement each (the journal
 * trigger records them), a payment moving one order (journaled again), a
 * fold into the rollups and buyer sets, then a cancellation left in the
 * journal. Nothing the current app's background work would touch at boot: no
 * live stream, no pending order past its hold, no pending webhook delivery
 * (the journal is left to the folder, which tests hold off with REPORTS_FOLD_MS).
 */
export async function seedOld01(url: string): Promise<void> {
  const o = OLD;
  await withClient(url, (c) =>
    c.query(`
      INSERT INTO users (id, email, display_name, password_hash, roles, created_at) VALUES
        ('${o.merchant}', 'merchant@old.test', 'Old Merchant', 'scrypt$16384$8$1$c2FsdA$aGFzaA', '{viewer,merchant}',
         '2026-11-01T09:00:00Z'),
        ('${o.streamer}', 'streamer@old.test', 'Old Streamer', 'scrypt$16384$8$1$c2FsdA$aGFzaA', '{viewer,streamer}',
         '2026-11-01T09:01:00Z'),
        ('${o.buyer1}', 'buyer1@old.test', 'Buyer One', 'scrypt$16384$8$1$c2FsdA$aGFzaA', '{viewer}',
         '2026-11-01T09:02:00Z'),
        ('${o.buyer2}', 'buyer2@old.test', 'Buyer Two', 'scrypt$16384$8$1$c2FsdA$aGFzaA', '{viewer}',
         '2026-11-01T09:03:00Z'),
        ('${o.admin}', 'admin@old.test', 'Old Admin', 'scrypt$16384$8$1$c2FsdA$aGFzaA', '{viewer,admin}',
         '2026-11-01T09:04:00Z');
      INSERT INTO merchant_settings (merchant_id, time_zone, updated_at) VALUES
        ('${o.merchant}', 'Europe/Paris', '2026-11-01T09:05:00Z');
      INSERT INTO merchant_streamers (merchant_id, streamer_id, created_at) VALUES
        ('${o.merchant}', '${o.streamer}', '2026-11-01T09:06:00Z');
      INSERT INTO products (id, merchant_id, title, description, image_url, price_cents, currency, stock, sku,
                            created_at, updated_at) VALUES
        ('${o.lamp}', '${o.merchant}', 'Aurora lamp', 'Warm light', 'https://img.old.test/lamp.png', 4900, 'EUR', 7,
         'AUR-1', '2026-11-01T09:10:00Z', '2026-11-01T10:20:00Z'),
        ('${o.mug}', '${o.merchant}', 'Boreal mug', '', NULL, 1500, 'EUR', 20, NULL,
         '2026-11-01T09:11:00Z', '2026-11-01T10:20:00Z');
      INSERT INTO streams (id, owner_id, merchant_id, title, status, stream_key_hash, started_at, ended_at,
                           created_at) VALUES
        ('${o.ended}', '${o.streamer}', '${o.merchant}', 'Launch night', 'ended', 'old-key-hash-1',
         '2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z', '2026-11-01T09:30:00Z'),
        ('${o.planned}', '${o.streamer}', NULL, 'Next week', 'created', 'old-key-hash-2', NULL, NULL,
         '2026-11-01T11:30:00Z');
      INSERT INTO pins (id, stream_id, product_id, pinned_by, pinned_at, unpinned_at, sale_price_cents, sale_stock,
                        sale_remaining, ends_at, per_buyer_limit) VALUES
        ('${o.oldPin}', '${o.ended}', '${o.mug}', '${o.streamer}', '2026-11-01T10:05:00Z', '2026-11-01T10:10:00Z',
         NULL, NULL, NULL, NULL, NULL),
        ('${o.salePin}', '${o.ended}', '${o.lamp}', '${o.streamer}', '2026-11-01T10:10:00Z', NULL,
         3900, 5, 2, '2026-11-01T10:40:00Z', 2);
      INSERT INTO orders (id, buyer_id, merchant_id, status, currency, total_cents, idempotency_key, request_hash,
                          stream_id, pin_id, stream_offset_ms, pin_units, sale_units, created_at, expires_at,
                          updated_at) VALUES
        ('${o.pending}', '${o.buyer1}', '${o.merchant}', 'pending_payment', 'EUR', 7800, 'key-1', 'hash-1',
         '${o.ended}', '${o.salePin}', 720000, 2, 2, '2026-11-01T10:12:00Z', '2099-01-01T00:00:00Z',
         '2026-11-01T10:12:00Z'),
        ('${o.paid}', '${o.buyer2}', '${o.merchant}', 'pending_payment', 'EUR', 5400, 'key-2', 'hash-2',
         '${o.ended}', '${o.salePin}', 780000, 1, 1, '2026-11-01T10:13:00Z', '2026-11-01T10:23:00Z',
         '2026-11-01T10:13:00Z'),
        ('${o.cancelled}', '${o.buyer1}', '${o.merchant}', 'pending_payment', 'EUR', 1500, 'key-3', 'hash-3',
         NULL, NULL, NULL, 0, 0, '2026-11-01T10:14:00Z', '2026-11-01T10:24:00Z', '2026-11-01T10:14:00Z');
      INSERT INTO order_items (order_id, product_id, title, quantity, unit_price_cents, sale) VALUES
        ('${o.pending}', '${o.lamp}', 'Aurora lamp', 2, 3900, true),
        ('${o.paid}', '${o.lamp}', 'Aurora lamp', 1, 3900, true),
        ('${o.paid}', '${o.mug}', 'Boreal mug', 1, 1500, false),
        ('${o.cancelled}', '${o.mug}', 'Boreal mug', 1, 1500, false);
      INSERT INTO payments (id, order_id, provider, session_id, checkout_url, status, amount_cents, currency,
                            created_at, updated_at) VALUES
        ('0e100000-0000-4000-8000-000000000001', '${o.pending}', 'simulated', 'sess-1',
         'https://pay.old.test/sess-1', 'open', 7800, 'EUR', '2026-11-01T10:12:01Z', '2026-11-01T10:12:01Z'),
        ('0e100000-0000-4000-8000-000000000002', '${o.paid}', 'simulated', 'sess-2',
         'https://pay.old.test/sess-2', 'succeeded', 5400, 'EUR', '2026-11-01T10:13:01Z', '2026-11-01T10:15:00Z');
      INSERT INTO payment_events (provider, event_id, type, received_at) VALUES
        ('simulated', 'evt-2', 'checkout.succeeded', '2026-11-01T10:15:00Z');
      UPDATE orders SET status = 'paid', paid_at = '2026-11-01T10:15:00Z', updated_at = '2026-11-01T10:15:00Z'
        WHERE id = '${o.paid}';
      SELECT count(*) FROM reports_fold(1000);
      UPDATE orders SET status = 'cancelled', closed_at = '2026-11-01T10:16:00Z', updated_at = '2026-11-01T10:16:00Z'
        WHERE id = '${o.cancelled}';
      INSERT INTO chat_messages (id, stream_id, user_id, user_name, text, hidden, deleted_at, deleted_by,
                                 created_at) VALUES
        ('0c100000-0000-4000-8000-000000000001', '${o.ended}', '${o.buyer1}', 'Buyer One', 'Is it dimmable?', false,
         NULL, NULL, '2026-11-01T10:11:00Z'),
        ('0c100000-0000-4000-8000-000000000002', '${o.ended}', '${o.buyer2}', 'Buyer Two', 'cheap pills here', false,
         '2026-11-01T10:12:30Z', '${o.streamer}', '2026-11-01T10:12:00Z'),
        ('0c100000-0000-4000-8000-000000000003', '${o.ended}', '${o.buyer2}', 'Buyer Two', 'spam spam', true,
         NULL, NULL, '2026-11-01T10:12:10Z');
      INSERT INTO chat_sanctions (stream_id, user_id, kind, until, created_by, created_at) VALUES
        ('${o.ended}', '${o.buyer2}', 'mute', '2026-11-01T10:22:30Z', '${o.streamer}', '2026-11-01T10:12:30Z'),
        ('${o.ended}', '${o.buyer2}', 'ban', NULL, '${o.streamer}', '2026-11-01T10:13:00Z');
      INSERT INTO chat_settings (stream_id, slow_mode_seconds, blocked_words, updated_at) VALUES
        ('${o.ended}', 5, '{pills,spam}', '2026-11-01T10:13:00Z');
      INSERT INTO stream_stats (stream_id, peak_viewers, unique_viewers, likes, updated_at) VALUES
        ('${o.ended}', 12, 30, 99, '2026-11-01T11:00:00Z');
      INSERT INTO webhooks (id, merchant_id, url, events, secret, created_at) VALUES
        ('${o.webhook}', '${o.merchant}', 'https://hooks.old.test/orders', '{order.created,order.paid}',
         'whsec_old_0123456789abcdef', '2026-11-01T09:20:00Z');
      INSERT INTO webhook_deliveries (id, webhook_id, event, event_id, payload, status, attempts, last_status_code,
                                      last_error, created_at, updated_at, delivered_at) VALUES
        ('0f100000-0000-4000-8000-000000000001', '${o.webhook}', 'order.paid', 'order.paid:${o.paid}',
         '{"orderId": "${o.paid}", "totalCents": 5400}', 'succeeded', 1, 200, NULL,
         '2026-11-01T10:15:01Z', '2026-11-01T10:15:02Z', '2026-11-01T10:15:02Z'),
        ('0f100000-0000-4000-8000-000000000002', '${o.webhook}', 'order.created', 'order.created:${o.pending}',
         '{"orderId": "${o.pending}"}', 'failed', 8, 500, 'HTTP 500', '2026-11-01T10:12:01Z',
         '2026-11-01T10:40:00Z', NULL);
    `),
  );
}

/** What must survive an upgrade: every row, every sequence's position, every table's identity. */
export interface DataState {
  /** Rows of every table but `migrations`, as sorted jsonb text. */
  rows: Record<string, string[]>;
  migrations: { id: number; timestamp: string; name: string }[];
  sequences: Record<string, { last_value: string; is_called: boolean }>;
  /** Table OIDs: a table dropped and re-created (even with the same rows) gets a new one. */
  tables: Record<string, number>;
}

export async function dataState(url: string): Promise<DataState> {
  return withClient(url, async (c) => {
    const { rows: rels } = await c.query<{ name: string; kind: string; oid: number }>(
      `SELECT relname AS name, relkind AS kind, oid::int AS oid FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S') ORDER BY 1`,
    );
    const state: DataState = { rows: {}, migrations: [], sequences: {}, tables: {} };
    for (const r of rels) {
      const ident = c.escapeIdentifier(r.name);
      if (r.kind === 'S') {
        if (r.name === 'migrations_id_seq') continue;
        const { rows } = await c.query<{ last_value: string; is_called: boolean }>(
          `SELECT last_value, is_called FROM ${ident}`,
        );
        state.sequences[r.name] = rows[0];
        continue;
      }
      state.tables[r.name] = r.oid;
      if (r.name === 'migrations') continue;
      const { rows } = await c.query<{ row: string }>(
        `SELECT to_jsonb(t)::text AS row FROM ${ident} t ORDER BY 1`,
      );
      state.rows[r.name] = rows.map((x) => x.row);
    }
    state.migrations = (
      await c.query<{ id: number; timestamp: string; name: string }>(
        `SELECT id, "timestamp", name FROM migrations ORDER BY id`,
      )
    ).rows;
    return state;
  });
}
