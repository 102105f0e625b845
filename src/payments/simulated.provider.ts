import { randomBytes } from 'node:crypto';
import { BadRequestError } from '../common/errors/domain-errors';
import {
  PAYMENT_EVENT_TYPES,
  type CheckoutSession,
  type PaymentEvent,
  type PaymentProvider,
} from './payment-provider';
import { SIGNATURE_HEADER, signWebhook, verifyWebhook } from '../common/crypto/webhook-signature';

/** Wire shape of a webhook body (what the provider signs). */
export interface WebhookBody {
  id: string;
  type: PaymentEvent['type'];
  /** Unix seconds the event was created. */
  created: number;
  data: { sessionId: string; orderId: string; amountCents: number; currency: string };
}

function isWebhookBody(v: unknown): v is WebhookBody {
  const b = v as Partial<WebhookBody> | null;
  const d = b?.data;
  return (
    typeof b?.id === 'string' &&
    b.id.length > 0 &&
    b.id.length <= 200 &&
    (PAYMENT_EVENT_TYPES as readonly string[]).includes(b.type as string) &&
    typeof d === 'object' &&
    d !== null &&
    typeof d.sessionId === 'string' &&
    typeof d.orderId === 'string' &&
    Number.isSafeInteger(d.amountCents) &&
    typeof d.currency === 'string'
  );
}

/**
 * A stand-in payment gateway. Its hosted checkout is /checkout?session=…
 * (client-demo/src/pages/checkout.ts); pressing Pay there asks this provider to
 * "charge" and notify the shop the way a real gateway does: a POST of a
 * signed event to the webhook, over HTTP, on loopback.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = 'simulated';

  constructor(
    private readonly secret: string,
    private readonly publicUrl: string,
    private readonly toleranceSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async createCheckout(): Promise<CheckoutSession> {
    const sessionId = `cs_sim_${randomBytes(18).toString('base64url')}`;
    return { sessionId, checkoutUrl: `${this.publicUrl}/checkout?session=${sessionId}` };
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): PaymentEvent {
    verifyWebhook(
      this.secret,
      rawBody,
      headers[SIGNATURE_HEADER],
      Math.floor(this.nowMs() / 1000),
      this.toleranceSeconds,
    );
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new BadRequestError('Webhook body is not JSON', 'bad_webhook');
    }
    if (!isWebhookBody(body)) throw new BadRequestError('Webhook body is not a payment event', 'bad_webhook');
    return { id: body.id, type: body.type, ...body.data };
  }

  async refund(): Promise<void> {
    // Nothing to give back: no money moved.
  }

  /** The provider's side of a finished checkout: the signed event it sends. */
  buildEvent(
    session: { sessionId: string; orderId: string; amountCents: number; currency: string },
    outcome: 'succeed' | 'fail' | 'cancel',
  ): { body: string; signature: string; eventId: string } {
    const created = Math.floor(this.nowMs() / 1000);
    const type = {
      succeed: 'payment.succeeded',
      fail: 'payment.failed',
      cancel: 'payment.cancelled',
    } as const;
    const event: WebhookBody = {
      id: `evt_sim_${randomBytes(12).toString('base64url')}`,
      type: type[outcome],
      created,
      data: session,
    };
    const body = JSON.stringify(event);
    return { body, signature: signWebhook(this.secret, body, created), eventId: event.id };
  }

  /** Sends a signed event to the shop's webhook; returns the HTTP status. */
  async deliver(webhookUrl: string, body: string, signature: string): Promise<number> {
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signature },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  }
}
