/**
 * A payment provider. The built-in `simulated` one stands in for a real
 * gateway; a real provider plugs in by implementing this interface and being
 * selected by PAYMENT_PROVIDER (see payments.module.ts).
 */
export interface PaymentProvider {
  readonly name: string;

  /** Opens a hosted checkout for an order; the buyer is sent to `checkoutUrl`. */
  createCheckout(order: { id: string; totalCents: number; currency: string }): Promise<CheckoutSession>;

  /**
   * Authenticates and parses a webhook from the exact bytes received. Throws
   * UnauthorizedError when the signature is missing, wrong or stale, and
   * BadRequestError when a correctly signed body is not an event.
   */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): PaymentEvent;

  /** Returns the money of a succeeded payment. Idempotent per session. */
  refund(payment: {
    sessionId: string;
    orderId: string;
    amountCents: number;
    currency: string;
  }): Promise<void>;
}

export interface CheckoutSession {
  sessionId: string;
  checkoutUrl: string;
}

/**
 * succeeded: the money was taken. failed: declined. cancelled: the buyer left
 * the provider's checkout. After failed or cancelled the order still holds its
 * units and the buyer may start a new payment for it.
 */
export const PAYMENT_EVENT_TYPES = ['payment.succeeded', 'payment.failed', 'payment.cancelled'] as const;

/** A provider's notification, after verification. `id` is unique per event (replays repeat it). */
export interface PaymentEvent {
  id: string;
  type: (typeof PAYMENT_EVENT_TYPES)[number];
  sessionId: string;
  orderId: string;
  amountCents: number;
  currency: string;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');
/** The HMAC secret shared with the provider (resolved once at boot). */
export const PAYMENT_WEBHOOK_SECRET = Symbol('PAYMENT_WEBHOOK_SECRET');
