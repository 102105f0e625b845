import { Injectable } from '@nestjs/common';
import { Sql, type SqlRunner } from '../database/sql';
import type { WebhookEvent } from './webhook-events';
import type { DeliveryStatus } from './webhook-views';

export interface WebhookRow {
  id: string;
  merchantId: string;
  url: string;
  events: WebhookEvent[];
  secret: string;
  createdAt: Date;
}

export interface DeliveryRow {
  id: string;
  webhookId: string;
  event: string;
  eventId: string;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

interface RawWebhook {
  id: string;
  merchant_id: string;
  url: string;
  events: WebhookEvent[];
  secret: string;
  created_at: Date;
}
interface RawDelivery {
  id: string;
  webhook_id: string;
  event: string;
  event_id: string;
  payload: unknown;
  status: DeliveryRow['status'];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

const webhook = (r: RawWebhook): WebhookRow => ({
  id: r.id,
  merchantId: r.merchant_id,
  url: r.url,
  events: r.events,
  secret: r.secret,
  createdAt: r.created_at,
});
const delivery = (r: RawDelivery): DeliveryRow => ({
  id: r.id,
  webhookId: r.webhook_id,
  event: r.event,
  eventId: r.event_id,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  deliveredAt: r.delivered_at,
});

/**
 * The order fields a webhook carries: no buyer identity beyond the id, but
 * where it ships (the shop's own fulfilment data) and how it was shipped.
 */
const ORDER_JSON = `jsonb_build_object(
  'id', o.id, 'status', o.status, 'currency', o.currency, 'totalCents', o.total_cents,
  'buyerId', o.buyer_id, 'streamId', o.stream_id, 'pinId', o.pin_id,
  'createdAt', o.created_at, 'paidAt', o.paid_at, 'fulfilledAt', o.fulfilled_at, 'closedAt', o.closed_at,
  'refundedCents', o.refunded_cents,
  'fulfilment', CASE WHEN o.fulfilled_at IS NULL THEN NULL ELSE jsonb_build_object('carrier', o.fulfil_carrier,
    'trackingNumber', o.fulfil_tracking_number, 'trackingUrl', o.fulfil_tracking_url) END,
  'shipping', (SELECT jsonb_build_object('name', sh.name, 'line1', sh.line1, 'line2', sh.line2,
    'city', sh.city, 'region', sh.region, 'postalCode', sh.postal_code, 'country', sh.country,
    'phone', sh.phone) FROM order_shipping sh WHERE sh.order_id = o.id),
  'items', (SELECT coalesce(jsonb_agg(jsonb_build_object('productId', i.product_id, 'title', i.title,
     'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents) ORDER BY i.product_id), '[]'::jsonb)
     FROM order_items i WHERE i.order_id = o.id))`;

@Injectable()
export class WebhooksRepository {
  constructor(private readonly sql: Sql) {}

  async create(merchantId: string, url: string, events: WebhookEvent[], secret: string): Promise<WebhookRow> {
    const rows = await this.sql.query<RawWebhook>(
      `INSERT INTO webhooks (merchant_id, url, events, secret) VALUES ($1, $2, $3, $4) RETURNING *`,
      [merchantId, url, events, secret],
    );
    return webhook(rows[0]);
  }

  async count(merchantId: string): Promise<number> {
    const rows = await this.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhooks WHERE merchant_id = $1',
      [merchantId],
    );
    return rows[0].n;
  }

  async list(merchantId: string | null): Promise<WebhookRow[]> {
    const rows = await this.sql.query<RawWebhook>(
      `SELECT * FROM webhooks WHERE $1::uuid IS NULL OR merchant_id = $1 ORDER BY created_at, id`,
      [merchantId],
    );
    return rows.map(webhook);
  }

  async find(id: string): Promise<WebhookRow | null> {
    const rows = await this.sql.query<RawWebhook>('SELECT * FROM webhooks WHERE id = $1', [id]);
    return rows[0] ? webhook(rows[0]) : null;
  }

  async delete(id: string): Promise<void> {
    await this.sql.query('DELETE FROM webhooks WHERE id = $1', [id]);
  }

  async deliveries(
    webhookId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: DeliveryRow[]; total: number }> {
    const [c] = await this.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1',
      [webhookId],
    );
    const rows = await this.sql.query<RawDelivery>(
      `SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
      [webhookId, limit, offset],
    );
    return { items: rows.map(delivery), total: c.n };
  }

  async delivery(id: string): Promise<(DeliveryRow & { url: string; secret: string }) | null> {
    const rows = await this.sql.query<RawDelivery & { url: string; secret: string }>(
      `SELECT d.*, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1`,
      [id],
    );
    return rows[0] ? { ...delivery(rows[0]), url: rows[0].url, secret: rows[0].secret } : null;
  }

  /**
   * One delivery per subscribed webhook for each order event, in the caller's
   * transaction (the fold that consumed the journal rows): an event is
   * recorded exactly when its order change is folded. Returns the new ids.
   */
  async addOrderEvents(
    q: SqlRunner,
    events: { orderId: string; event: WebhookEvent; refundId?: string | null }[],
  ): Promise<string[]> {
    if (events.length === 0) return [];
    // A partial refund is its own event (its id in the event id); a refund in full is the order's.
    const rows = await q.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (webhook_id, event, event_id, payload)
       SELECT w.id, e.event, x.event_id,
              jsonb_build_object('id', x.event_id, 'type', e.event, 'createdAt', now(),
                                 'data', jsonb_build_object('order', ${ORDER_JSON})
                                   || CASE WHEN e.event = 'order.refunded' THEN jsonb_build_object('refund',
                                        (SELECT jsonb_build_object('id', rf.id, 'amountCents', rf.amount_cents,
                                           'full', rf.kind = 'full', 'createdAt', rf.created_at)
                                         FROM order_refunds rf
                                         WHERE rf.id = e.refund_id OR (e.refund_id IS NULL AND rf.order_id = o.id
                                           AND rf.kind = 'full')
                                         ORDER BY rf.created_at DESC LIMIT 1))
                                      ELSE '{}'::jsonb END)
       FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS e(order_id, event, refund_id)
       CROSS JOIN LATERAL (SELECT e.event || ':' || e.order_id
                             || coalesce(':' || e.refund_id::text, '') AS event_id) AS x
       JOIN orders o ON o.id = e.order_id
       JOIN webhooks w ON w.merchant_id = o.merchant_id AND e.event = ANY(w.events)
       ON CONFLICT (webhook_id, event_id) DO NOTHING
       RETURNING id`,
      [events.map((e) => e.orderId), events.map((e) => e.event), events.map((e) => e.refundId ?? null)],
    );
    return rows.map((r) => r.id);
  }

  /** Deliveries of a stream status change; the event id makes replicas that all heard it add it once. */
  async addStreamEvent(
    merchantIds: string[],
    event: WebhookEvent,
    eventId: string,
    data: Record<string, unknown>,
  ): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (webhook_id, event, event_id, payload)
       SELECT w.id, $2, $3, jsonb_build_object('id', $3::text, 'type', $2::text, 'createdAt', now(), 'data', $4::jsonb)
       FROM webhooks w WHERE w.merchant_id = ANY($1::uuid[]) AND $2 = ANY(w.events)
       ON CONFLICT (webhook_id, event_id) DO NOTHING
       RETURNING id`,
      [merchantIds, event, eventId, JSON.stringify(data)],
    );
    return rows.map((r) => r.id);
  }

  /** A test delivery, recorded as it is sent (not a subscribable event). */
  async addTest(webhookId: string, eventId: string, payload: unknown): Promise<string> {
    const rows = await this.sql.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (webhook_id, event, event_id, payload)
       VALUES ($1, 'webhook.test', $2, $3::jsonb) RETURNING id`,
      [webhookId, eventId, JSON.stringify(payload)],
    );
    return rows[0].id;
  }

  /** A failed delivery goes back to pending for a new round of attempts; false when it had not failed. */
  async reopen(id: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE webhook_deliveries SET status = 'pending', updated_at = now()
       WHERE id = $1 AND status = 'failed' RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }

  /** Pending deliveries not touched for a while: their job may have been lost with a process. */
  async stale(olderThanMs: number, limit: number): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      `SELECT id FROM webhook_deliveries
       WHERE status = 'pending' AND updated_at < now() - make_interval(secs => $1 / 1000.0)
       ORDER BY updated_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.id);
  }

  async recordAttempt(
    id: string,
    outcome: { ok: boolean; final: boolean; statusCode: number | null; error: string | null },
  ): Promise<void> {
    await this.sql.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $2, last_error = $3,
         status = CASE WHEN $4 THEN 'succeeded' WHEN $5 THEN 'failed' ELSE 'pending' END,
         delivered_at = CASE WHEN $4 THEN now() ELSE delivered_at END, updated_at = now()
       WHERE id = $1 AND status = 'pending'`,
      [id, outcome.statusCode, outcome.error, outcome.ok, outcome.final],
    );
  }
}
