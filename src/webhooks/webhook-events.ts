// Framework-free: the merchant's webhooks page imports it (`@shared/webhooks/webhook-events`), so the
// events a person can tick are the ones the server accepts.
/** Events a merchant can subscribe a URL to. */
export const WEBHOOK_EVENTS = [
  'order.created',
  'order.paid',
  'order.fulfilled',
  'order.refunded',
  'stream.started',
  'stream.ended',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

export interface WebhookDeliveryJob {
  deliveryId: string;
}

/** Headers of every delivery. The signature is `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const HEADERS = {
  signature: 'X-Livecart-Signature',
  timestamp: 'X-Livecart-Timestamp',
  event: 'X-Livecart-Event',
  delivery: 'X-Livecart-Delivery',
} as const;
