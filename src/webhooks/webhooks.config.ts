import type { Provider } from '@nestjs/common';
import { ConfigError, EnvReader } from '../config/env';

/** Merchant webhook delivery, read once at boot from the environment. Every option with its default: */
export interface WebhooksConfig {
  /**
   * WEBHOOK_ALLOW_PRIVATE (false): deliver to loopback, private (RFC 1918,
   * unique-local), link-local and other non-public addresses. Off, a URL
   * whose host is (or resolves to) such an address is refused at
   * registration and at every connection (SSRF). Tests turn it on to
   * deliver to a receiver on 127.0.0.1.
   */
  allowPrivate: boolean;
  /** WEBHOOK_MAX_ATTEMPTS (8): tries per delivery, the first included, before it is marked failed. */
  maxAttempts: number;
  /** WEBHOOK_BACKOFF_MS (10000): delay before the first retry; doubles on each retry. */
  backoffMs: number;
  /** WEBHOOK_TIMEOUT_MS (10000): a receiver must answer within this. */
  timeoutMs: number;
  /** WEBHOOK_MAX_PER_MERCHANT (20): registered URLs per merchant. */
  maxPerMerchant: number;
}

export const WEBHOOKS_CONFIG = Symbol('WEBHOOKS_CONFIG');

export function loadWebhooksConfig(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const r = new EnvReader(env);
  const c: WebhooksConfig = {
    allowPrivate: r.bool('WEBHOOK_ALLOW_PRIVATE', false),
    maxAttempts: r.int('WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
    backoffMs: r.int('WEBHOOK_BACKOFF_MS', 10_000, 10, 3_600_000),
    timeoutMs: r.int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    maxPerMerchant: r.int('WEBHOOK_MAX_PER_MERCHANT', 20, 1, 1000),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return c;
}

export const webhooksConfigProvider: Provider = {
  provide: WEBHOOKS_CONFIG,
  useFactory: () => loadWebhooksConfig(),
};
