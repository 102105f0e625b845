import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../common/errors/domain-errors';
import { CommerceSignals } from '../room/commerce-signals';
import type { CreateOrderBody } from './dto/create-order.schema';
import type {
  FulfilOrderDto,
  OrderDetailDto,
  OrderDto,
  OrderViewDto,
  SetShippingDto,
  TimelineEntryDto,
} from './dto/order.dto';
import { addressFields, ProfileService } from '../profile/profile.service';
import { toMajorUnits } from '../common/money/currencies';
import type { OrderView, PaymentSummary, ShippingAddress } from './order-view';
import { OrderExpiryService } from './order-expiry.service';
import { OrderMetrics } from './order-metrics';
import { illegalMoveMessage, MOVES, type Order, type OrderMove, type OrderStatus } from './order.model';
import { OrdersRepository } from './orders.repository';
import { keyReused, ReservationEngine, type Outcome } from './reservation-engine';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export interface CreateResult {
  order: OrderDto;
  /** False when an earlier request with the same Idempotency-Key made this order. */
  created: boolean;
}

export function toOrderDto(o: Order): OrderDto {
  return {
    id: o.id,
    status: o.status,
    buyerId: o.buyerId,
    merchantId: o.merchantId,
    items: o.items.map((i) => ({ ...i, lineTotalCents: i.unitPriceCents * i.quantity })),
    totalCents: o.totalCents,
    currency: o.currency,
    streamId: o.streamId,
    pinId: o.pinId,
    streamOffsetMs: o.streamOffsetMs,
    createdAt: o.createdAt.toISOString(),
    expiresAt: o.expiresAt.toISOString(),
    paidAt: o.paidAt?.toISOString() ?? null,
    fulfilledAt: o.fulfilledAt?.toISOString() ?? null,
    closedAt: o.closedAt?.toISOString() ?? null,
  };
}

export function toOrderViewDto(v: OrderView): OrderViewDto {
  return {
    ...toOrderDto(v),
    items: v.items.map((i) => ({ ...i, lineTotalCents: i.unitPriceCents * i.quantity })),
    buyer: v.buyer,
    needsShipping: v.needsShipping,
    shipping: v.shipping,
    refundedCents: v.refundedCents,
    fulfilment: v.fulfilment && {
      carrier: v.fulfilment.carrier,
      trackingNumber: v.fulfilment.trackingNumber,
      trackingUrl: v.fulfilment.trackingUrl,
      fulfilledAt: v.fulfilment.fulfilledAt.toISOString(),
    },
  };
}

/** What happened to an order, oldest first, each in a sentence. */
export function timelineOf(
  v: OrderView,
  payments: PaymentSummary[],
  shippingSince: Date | null,
  refunds: { amountCents: number; full: boolean; createdAt: Date }[] = [],
): TimelineEntryDto[] {
  const out: { at: Date; event: TimelineEntryDto['event']; text: string }[] = [
    { at: v.createdAt, event: 'placed', text: 'Order placed; the units are held until it is paid.' },
  ];
  if (shippingSince)
    out.push({ at: shippingSince, event: 'shipping_added', text: 'Shipping address given.' });
  for (const p of payments) {
    out.push({ at: p.createdAt, event: 'payment_started', text: `Payment started with ${p.provider}.` });
    if (p.status === 'failed') {
      out.push({ at: p.updatedAt, event: 'payment_failed', text: 'The payment was declined.' });
    } else if (p.status === 'cancelled') {
      out.push({ at: p.updatedAt, event: 'payment_cancelled', text: 'The payment was cancelled.' });
    }
  }
  if (v.paidAt) out.push({ at: v.paidAt, event: 'paid', text: 'Paid.' });
  if (v.fulfilment) {
    const how = [v.fulfilment.carrier, v.fulfilment.trackingNumber].filter(Boolean).join(', tracking ');
    out.push({
      at: v.fulfilment.fulfilledAt,
      event: 'fulfilled',
      text: how ? `Shipped with ${how}.` : 'Fulfilled.',
    });
  }
  for (const r of refunds) {
    const amount = `${toMajorUnits(r.amountCents, v.currency)} ${v.currency}`;
    out.push({
      at: r.createdAt,
      event: 'refunded',
      text: r.full
        ? `Refunded ${amount}, all that was left; the units went back to stock.`
        : `Refunded ${amount}.`,
    });
  }
  // Refunded before refunds were recorded one by one: the move itself is all there is.
  if (v.closedAt && v.status === 'refunded' && refunds.length === 0) {
    out.push({ at: v.closedAt, event: 'refunded', text: 'Refunded in full; the units went back to stock.' });
  }
  if (v.closedAt && ['expired', 'cancelled'].includes(v.status)) {
    const text: Record<string, string> = {
      expired: 'The hold expired before payment; the units went back to stock.',
      cancelled: 'Cancelled by the buyer; the units went back to stock.',
    };
    out.push({ at: v.closedAt, event: v.status as TimelineEntryDto['event'], text: text[v.status] });
  }
  return out
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((e) => ({ at: e.at.toISOString(), event: e.event, text: e.text }));
}

/** Same stream and lines (in any order) → same hash: what "the same body" means for idempotency. */
export function requestHash(
  streamId: string | null,
  items: { productId: string; quantity: number }[],
): string {
  const lines = items.map((i) => `${i.productId}:${i.quantity}`).join(',');
  return createHash('sha256')
    .update(`${streamId ?? ''}|${lines}`)
    .digest('base64url');
}

/**
 * The order lifecycle: placing an order (validated here, reserved by the
 * ReservationEngine), reading it, and the moves of the state machine
 * (order.model.ts) with their releases.
 *
 * Zero oversell, by construction rather than by checking afterwards:
 *  1. Stock lives in exactly one place per counter: `products.stock` and, for a
 *     flash sale, `pins.sale_remaining` (sale units also leave product stock).
 *  2. The engine decides each batch from one consistent read of the rows it
 *     depends on, with one decision code (allocation.ts), and writes it in one
 *     statement that goes ahead only if none of those rows changed since the
 *     read, or under their row locks (see ReservationEngine). An order row
 *     exists if and only if its units were taken (same statement).
 *  3. CHECK (stock >= 0) and CHECK (sale_remaining >= 0) turn any mistake in the
 *     above into a failed transaction, never a negative count.
 *  4. Units come back only through a conditional status change
 *     (`WHERE status = 'pending_payment'` or `'paid'`) in the same transaction
 *     as the increment: expiry, cancel and refund return them exactly once.
 *
 * Idempotency: UNIQUE (buyer_id, idempotency_key) with the request's hash
 * stored beside it. A stored key is answered with its order (same hash → 200
 * with that order, another → 422), twins within a batch with the first one's
 * answer, and a twin committed concurrently by another replica makes the
 * insert skip and the request answer with the stored order. One key can
 * never yield two orders.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly engine: ReservationEngine,
    private readonly metrics: OrderMetrics,
    private readonly signals: CommerceSignals,
    private readonly expiry: OrderExpiryService,
    private readonly profile: ProfileService,
  ) {}

  async create(
    user: AuthUser,
    idempotencyKey: string | undefined,
    body: CreateOrderBody,
  ): Promise<CreateResult> {
    const started = process.hrtime.bigint();
    if (idempotencyKey === undefined || idempotencyKey === '') {
      throw new BadRequestError(
        'The Idempotency-Key header is required (a unique value per order attempt, reused on retries)',
        'idempotency_key_required',
      );
    }
    if (!KEY_PATTERN.test(idempotencyKey)) {
      throw new BadRequestError(
        'Idempotency-Key must be 1 to 200 visible ASCII characters',
        'idempotency_key_invalid',
      );
    }
    const items = body.items
      .map((i) => ({ productId: i.productId.toLowerCase(), quantity: i.quantity }))
      .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
    for (let i = 1; i < items.length; i++) {
      if (items[i].productId === items[i - 1].productId) {
        throw new ValidationError(
          `items: product ${items[i].productId} appears twice; use one line with its quantity`,
        );
      }
    }
    const streamId = body.streamId?.toLowerCase() ?? null;
    const hash = requestHash(streamId, items);
    const outcome = await this.engine.reserve({
      buyerId: user.id,
      buyerName: user.name,
      idempotencyKey,
      requestHash: hash,
      streamId,
      items,
      confirmBuyer: user.unconfirmed,
    });
    this.metrics.latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    switch (outcome.kind) {
      case 'created':
        this.placed(outcome);
        return { order: toOrderDto(outcome.order), created: true };
      case 'rejected':
        this.metrics.rejected.inc({ code: outcome.error.code });
        throw outcome.error;
      case 'replay': {
        const stored = await this.orders.findById(outcome.orderId);
        if (!stored) throw new NotFoundError('Order', outcome.orderId);
        if (stored.requestHash !== hash) throw keyReused(idempotencyKey);
        return { order: toOrderDto(stored), created: false };
      }
    }
  }

  /**
   * A new order: its hold's expiry and the room's stock. The room's "just
   * bought" note waits for the payment (PaymentsService).
   */
  private placed({ order }: Extract<Outcome, { kind: 'created' }>): void {
    this.metrics.created.inc();
    this.expiry.schedule([order.id], order.expiresAt);
    this.signals.stockChanged(order.items.map((i) => i.productId));
  }

  /** Who may read an order: its buyer, its shop, admins. Others get 404 (no existence leak). */
  async getVisible(user: AuthUser, id: string): Promise<Order> {
    const o = await this.orders.findById(id);
    if (!o || !canSee(user, o)) throw new NotFoundError('Order', id);
    return o;
  }

  /** An order as people read it, or 404 for anyone but its buyer, its shop and admins. */
  async view(user: AuthUser, id: string): Promise<OrderView> {
    const v = await this.orders.findView(id);
    if (!v || !canSee(user, v)) throw new NotFoundError('Order', id);
    return v;
  }

  /** One order with its buyer, shipping, payments and timeline. */
  async get(user: AuthUser, id: string): Promise<OrderDetailDto> {
    const v = await this.view(user, id);
    const [payments, shippingSince, refunds] = await Promise.all([
      this.orders.payments(id),
      this.orders.shippingSince(id),
      this.orders.refunds(id),
    ]);
    return {
      ...toOrderViewDto(v),
      payments: payments.map((p) => ({
        ...p,
        createdAt: p.createdAt.toISOString(),
        updatedAt: p.updatedAt.toISOString(),
      })),
      refunds: refunds.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
      timeline: timelineOf(v, payments, shippingSince, refunds),
    };
  }

  async listMine(
    user: AuthUser,
    q: { mine?: boolean; status?: OrderStatus; limit?: number; offset?: number },
  ): Promise<{ items: OrderViewDto[]; total: number }> {
    const all = user.roles.includes('admin') && q.mine !== true;
    const page = await this.orders.list({
      buyerId: all ? undefined : user.id,
      status: q.status,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    return { items: page.items.map(toOrderViewDto), total: page.total };
  }

  async listForMerchant(
    user: AuthUser,
    q: { streamId?: string; status?: OrderStatus; limit?: number; offset?: number },
  ): Promise<{ items: OrderViewDto[]; total: number }> {
    const page = await this.orders.list({
      merchantId: user.roles.includes('admin') ? undefined : user.id,
      streamId: q.streamId,
      status: q.status,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    return { items: page.items.map(toOrderViewDto), total: page.total };
  }

  /**
   * The buyer says where an unpaid order ships: one of their saved addresses,
   * or one entered now (saved to their profile too with `save`). The order
   * keeps a copy. Not on the reservation's path: the order exists already.
   */
  async setShipping(user: AuthUser, id: string, body: SetShippingDto): Promise<OrderDetailDto> {
    // null is as good as absent here: exactly one of the two must be given.
    const dto = { ...body, addressId: body.addressId ?? undefined, address: body.address ?? undefined };
    if ((dto.addressId === undefined) === (dto.address === undefined)) {
      throw new ValidationError('Choose one of your saved addresses or enter an address (not both).', {
        fields: [{ field: 'address', problems: ['Choose a saved address or enter one.'] }],
      });
    }
    const o = await this.getVisible(user, id);
    if (o.buyerId !== user.id) throw new ForbiddenError('Only the buyer can say where an order ships.');
    let address: ShippingAddress;
    let addressId: string | null = null;
    if (dto.addressId) {
      const saved = await this.profile.mine(user, dto.addressId);
      address = addressFields(saved);
      addressId = saved.id;
    } else {
      address = addressFields(dto.address!);
      if (dto.save) addressId = (await this.profile.create(user, { ...dto.address!, isDefault: false })).id;
    }
    if (!(await this.orders.setShipping(id, user.id, address, addressId))) {
      const status = (await this.orders.status(id)) ?? o.status;
      throw new ConflictError(
        'The shipping address can only be given or changed before the order is paid.',
        'not_pending_payment',
        { status },
      );
    }
    return this.get(user, id);
  }

  /** Buyer (or admin) cancels an unpaid order; its units return to stock. */
  async cancel(user: AuthUser, id: string): Promise<OrderDetailDto> {
    const o = await this.getVisible(user, id);
    if (o.buyerId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError('Only the buyer can cancel an order; the shop refunds paid ones.');
    }
    await this.releaseOne(o, 'cancel');
    return this.get(user, id);
  }

  /**
   * The shop (or an admin) gives money back: all that is left (a paid order
   * not yet shipped then moves to refunded and its units return to stock),
   * or part of it (the order keeps its status). See OrdersRepository.refund.
   */
  async refund(
    user: AuthUser,
    id: string,
    amountCents?: number,
  ): Promise<{ order: OrderDetailDto; refund: { amountCents: number; full: boolean } }> {
    const o = await this.getVisible(user, id);
    this.assertShop(user, o);
    const r = await this.orders.refund(id, amountCents, user.id);
    if (!r.ok) {
      if (r.reason === 'missing') throw new NotFoundError('Order', id);
      if (r.reason === 'status') await this.illegal(id, 'refund');
      const left = r.reason === 'amount' ? r : undefined;
      const amount = `${toMajorUnits(left?.remainingCents ?? 0, left?.currency ?? o.currency)} ${o.currency}`;
      throw new ConflictError(
        left && left.remainingCents > 0
          ? `You can refund at most ${amount} more on this order.`
          : 'This order has been refunded in full already.',
        'refund_too_large',
        { remainingCents: left?.remainingCents ?? 0 },
      );
    }
    if (r.released) {
      this.metrics.released.inc({ reason: 'refunded' }, 1);
      this.signals.stockChanged(r.released.productIds);
    }
    return { order: await this.get(user, id), refund: { amountCents: r.amountCents, full: r.full } };
  }

  /** The shop ships a paid order, with the carrier and tracking the buyer then sees. */
  async fulfil(user: AuthUser, id: string, dto: FulfilOrderDto = {}): Promise<OrderDetailDto> {
    const o = await this.getVisible(user, id);
    this.assertShop(user, o);
    const done = await this.orders.fulfil(id, {
      carrier: dto.carrier ?? null,
      trackingNumber: dto.trackingNumber ?? null,
      trackingUrl: dto.trackingUrl ?? null,
    });
    if (!done) await this.illegal(id, 'fulfil');
    return this.get(user, id);
  }

  /** Lines of the shop's paid orders that wait to be shipped (admins: every shop's). */
  toFulfil(user: AuthUser, limit = 5000) {
    return this.orders.toFulfil(user.roles.includes('admin') ? undefined : user.id, limit);
  }

  assertShop(user: AuthUser, o: Order): void {
    if (o.merchantId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError("Only the order's shop can do this.");
    }
  }

  private async releaseOne(o: Order, move: 'cancel'): Promise<void> {
    const { from, to } = MOVES[move];
    const released = await this.orders.release([o.id], from, to as 'cancelled');
    if (released.length === 0) await this.illegal(o.id, move);
    this.metrics.released.inc({ reason: to }, 1);
    this.signals.stockChanged(released[0].productIds);
  }

  private async illegal(id: string, move: OrderMove): Promise<never> {
    const status = await this.orders.status(id);
    if (!status) throw new NotFoundError('Order', id);
    throw new ConflictError(illegalMoveMessage(id, move, status), 'illegal_transition', { status });
  }
}

function canSee(user: AuthUser, o: Order): boolean {
  return o.buyerId === user.id || o.merchantId === user.id || user.roles.includes('admin');
}
