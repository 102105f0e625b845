// Framework-free: webhooks and their deliveries as the API answers them. The
// merchant's webhooks page reads them through `@shared/webhooks/webhook-views`.
import type { WebhookEvent } from './webhook-events';

export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
}

/** The webhook just added: this answer is the only one that carries its signing secret. */
export interface CreatedWebhookView extends WebhookView {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryView {
  id: string;
  event: string;
  eventId: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  payload: unknown;
}
