import { storedSecret } from '../common/crypto/stored-secret';
import type { AppConfig } from '../config/config';

/**
 * PAYMENT_WEBHOOK_SECRET, or outside production (where config requires it)
 * one generated once and kept in the data folder, like the JWT secret.
 */
export function resolveWebhookSecret(config: AppConfig): string {
  return config.payments.webhookSecret || storedSecret(config.dataDir, 'payment-webhook-secret', 32);
}
