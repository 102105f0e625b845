import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppConfig } from '../config/config';

/**
 * PAYMENT_WEBHOOK_SECRET, or outside production (where config requires it)
 * one generated once and kept in the data folder, like the JWT secret.
 */
export function resolveWebhookSecret(config: AppConfig): string {
  if (config.payments.webhookSecret) return config.payments.webhookSecret;
  const file = path.join(config.dataDir, 'payment-webhook-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString('base64url');
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      // Another process of the same data folder wrote it first.
      return fs.readFileSync(file, 'utf8').trim();
    }
  }
}
