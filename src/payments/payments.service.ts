import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CommerceSignals } from '../room/commerce-signals';
import { publicBuyerName } from '../orders/allocation';
import type { AuthUser } from '../common/auth/roles';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/domain-errors';
import { OrderMetrics } from '../orders/order-metrics';
import { OrdersRepository } from '../orders/orders.repository';
import { OrdersService } from '../orders/orders.service';
import type { SqlRunner } from '../database/sql';
import type { OrderDetailDto } from '../orders/dto/order.dto';
import { PAYMENT_PROVIDER, type PaymentEvent, type PaymentProvider } from './payment-provider';
import { PaymentsRepository } from './payments.repository';

export interface CheckoutStart {
  provider: string;
  sessionId: string;
  checkoutUrl: string;
  expiresAt: string;
  returnUrl: string;
}

export interface WebhookResult {
  received: true;
  /** The event id was applied before: nothing changed. */
  duplicate: boolean;
}

@Injectable()
export class PaymentsService {
  private readonly logger = new Logger('Payments');

  constructor(
    @Inject(PAYMENT_PROVIDER) readonly provider: PaymentProvider,
    private readonly payments: PaymentsRepository,
    private readonly orders: OrdersService,
    private readonly ordersRepo: OrdersRepository,
    private readonly metrics: OrderMetrics,
    private readonly signals: CommerceSignals,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where the buyer comes back to from the provider's page: the order in "My orders". */
  returnUrl(orderId: string): string {
    return `${this.config.http.publicUrl}/orders?order=${orderId}`;
  }

  /**
   * The buyer starts paying an unpaid order: a provider checkout (the open one
   * is reused). After a declined or cancelled payment the order still holds
   * its units, and this starts a new session for the same order: retrying
   * never needs a second order.
   */
  async startCheckout(user: AuthUser, orderId: string): Promise<CheckoutStart> {
    const order = await this.orders.view(user, orderId);
    if (order.buyerId !== user.id) throw new ForbiddenError('Only the buyer can pay for an order.');
    if (order.status !== 'pending_payment') {
      throw new ConflictError(
        `Order ${orderId} is ${order.status.replace('_', ' ')}; nothing to pay`,
        'not_payable',
        {
          status: order.status,
        },
      );
    }
    if (order.expiresAt.getTime() <= Date.now()) {
      throw new ConflictError(`The hold of order ${orderId} has expired; place a new order`, 'order_expired');
    }
    if (order.needsShipping && !order.shipping) {
      throw new ConflictError(
        'Add a shipping address before paying: this order has items to ship.',
        'shipping_required',
      );
    }
    let payment = await this.payments.openForOrder(order.id, this.provider.name);
    if (!payment) {
      const session = await this.provider.createCheckout({
        id: order.id,
        totalCents: order.totalCents,
        currency: order.currency,
      });
      payment = await this.payments.insert({
        orderId: order.id,
        provider: this.provider.name,
        sessionId: session.sessionId,
        checkoutUrl: session.checkoutUrl,
        amountCents: order.totalCents,
        currency: order.currency,
      });
    }
    return {
      provider: this.provider.name,
      sessionId: payment.sessionId,
      checkoutUrl: payment.checkoutUrl,
      expiresAt: order.expiresAt.toISOString(),
      returnUrl: this.returnUrl(order.id),
    };
  }

  /**
   * Applies a provider webhook once. Unsigned or wrongly signed → 401 (thrown
   * by the provider); a replayed event id → 200 and nothing changes (the event
   * id is recorded in the same transaction as its effect).
   */
  async handleWebhook(
    rawBody: Buffer | undefined,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<WebhookResult> {
    const event = this.provider.parseWebhook(rawBody ?? Buffer.alloc(0), headers);
    const result = await this.payments.tx(async (q) => {
      if (!(await this.payments.recordEvent(q, this.provider.name, event.id, event.type))) {
        return { duplicate: true, paid: false, refundDue: null };
      }
      return { duplicate: false, ...(await this.apply(q, event)) };
    });
    if (result.paid) {
      this.metrics.paid.inc();
      await this.announce(event.orderId);
    }
    if (result.refundDue) await this.refundQuietly(result.refundDue);
    return { received: true, duplicate: result.duplicate };
  }

  private async apply(
    q: SqlRunner,
    event: PaymentEvent,
  ): Promise<{ paid: boolean; refundDue: { id: string; event: PaymentEvent } | null }> {
    const payment = await this.payments.bySession(this.provider.name, event.sessionId, q, true);
    if (!payment || payment.orderId !== event.orderId) {
      this.logger.warn(`webhook ${event.id}: unknown session ${event.sessionId}; ignored`);
      return { paid: false, refundDue: null };
    }
    if (payment.amountCents !== event.amountCents || payment.currency !== event.currency) {
      this.logger.warn(`webhook ${event.id}: amount differs from the checkout; ignored`);
      return { paid: false, refundDue: null };
    }
    if (payment.status !== 'open') return { paid: false, refundDue: null };
    // Declined or abandoned: the order keeps its hold; the buyer may pay it with a new session.
    if (event.type === 'payment.failed' || event.type === 'payment.cancelled') {
      await this.payments.setStatus(payment.id, event.type === 'payment.failed' ? 'failed' : 'cancelled', q);
      return { paid: false, refundDue: null };
    }
    // Paid while its units are still held → paid. Otherwise (expired or
    // cancelled in the meantime) the money goes back: nothing was sold.
    if (await this.ordersRepo.move(payment.orderId, 'pending_payment', 'paid', q)) {
      await this.payments.setStatus(payment.id, 'succeeded', q);
      return { paid: true, refundDue: null };
    }
    await this.payments.setStatus(payment.id, 'refund_due', q);
    return { paid: false, refundDue: { id: payment.id, event } };
  }

  /**
   * "Someone just bought" in the stream's room, once the purchase is paid (an
   * order that is only placed may still be declined or expire). Throttled per
   * room by the signals; best-effort.
   */
  private async announce(orderId: string): Promise<void> {
    try {
      const o = await this.ordersRepo.findView(orderId);
      if (!o?.streamId) return;
      const title = o.items.find((i) => i.productId === o.pinnedProductId)?.title ?? o.items[0]?.title;
      if (title) this.signals.purchased(o.streamId, publicBuyerName(o.buyer.name), title);
    } catch (e) {
      this.logger.warn(`could not announce the purchase of order ${orderId}: ${(e as Error).message}`);
    }
  }

  private async refundQuietly(due: { id: string; event: PaymentEvent }): Promise<void> {
    try {
      await this.provider.refund(due.event);
      await this.payments.setStatus(due.id, 'refunded');
    } catch (e) {
      this.logger.error(
        `refund of payment ${due.id} failed; it stays refund_due: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /**
   * The shop gives money back (all that is left, or `amountCents` of it):
   * recorded first (units back to stock, exactly once, when a paid order is
   * refunded in full), then the provider is asked for that amount. The
   * payment is `refunded` once all of it went back.
   */
  async refund(user: AuthUser, orderId: string, amountCents?: number): Promise<OrderDetailDto> {
    const { order, refund } = await this.orders.refund(user, orderId, amountCents);
    const payment = await this.payments.succeededForOrder(orderId);
    if (payment) {
      try {
        await this.provider.refund({ ...payment, amountCents: refund.amountCents });
        if (order.refundedCents >= order.totalCents) await this.payments.setStatus(payment.id, 'refunded');
      } catch (e) {
        await this.payments.setStatus(payment.id, 'refund_due');
        this.logger.error(
          `provider refund of order ${orderId} failed; payment marked refund_due: ${
            e instanceof Error ? e.message : String(e)
          }`,
        );
      }
    }
    return order;
  }

  /** What the simulated checkout page shows (the session id is the capability). */
  async session(sessionId: string): Promise<{
    sessionId: string;
    orderId: string;
    amountCents: number;
    currency: string;
    paymentStatus: string;
    orderStatus: string;
    expiresAt: string;
    returnUrl: string;
    items: { title: string; quantity: number }[];
  }> {
    const payment = await this.payments.bySession(this.provider.name, sessionId);
    if (!payment) throw new NotFoundError('Checkout session');
    const order = await this.ordersRepo.findById(payment.orderId);
    if (!order) throw new NotFoundError('Checkout session');
    return {
      sessionId,
      orderId: order.id,
      amountCents: payment.amountCents,
      currency: payment.currency,
      paymentStatus: payment.status,
      orderStatus: order.status,
      expiresAt: order.expiresAt.toISOString(),
      returnUrl: this.returnUrl(order.id),
      items: order.items.map((i) => ({ title: i.title, quantity: i.quantity })),
    };
  }
}
