import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors/domain-errors';

/*
 * One signing scheme for webhooks both ways: the payment provider's to us
 * (payments verifies them) and ours to merchants (webhooks signs them), so
 * neither feature imports the other for it.
 */

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'x-signature';

function mac(secret: string, timestamp: number, rawBody: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The signature header value for a body sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, rawBody: Buffer | string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, rawBody).toString('hex')}`;
}

/**
 * Checks a webhook signature: present, well formed, signed with `secret` over
 * the timestamp and the exact bytes, and not older (or newer) than
 * `toleranceSeconds`. The timestamp bounds how long a captured request could
 * be replayed; the event id (stored once applied) stops replays inside it.
 */
export function verifyWebhook(
  secret: string,
  rawBody: Buffer | undefined,
  header: string | string[] | undefined,
  nowSeconds: number,
  toleranceSeconds: number,
): void {
  if (typeof header !== 'string' || header.length === 0) {
    throw new UnauthorizedError('Missing webhook signature (X-Signature)');
  }
  if (!rawBody) throw new UnauthorizedError('Webhook body is not signed JSON');
  const parts = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), part.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  const sigs = parts.get('v1') ?? [];
  if (!Number.isSafeInteger(t) || sigs.length === 0) {
    throw new UnauthorizedError('Malformed webhook signature');
  }
  if (Math.abs(nowSeconds - t) > toleranceSeconds) {
    throw new UnauthorizedError('Webhook signature timestamp is outside the tolerance');
  }
  const expected = mac(secret, t, rawBody);
  const ok = sigs.some((s) => {
    if (!/^[0-9a-f]{64}$/i.test(s)) return false;
    return timingSafeEqual(Buffer.from(s, 'hex'), expected);
  });
  if (!ok) throw new UnauthorizedError('Wrong webhook signature');
}
