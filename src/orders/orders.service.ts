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
import { publicBuyerName } from './allocation';
import type { CreateOrderBody } from './dto/create-order.schema';
import type { OrderDto } from './dto/order.dto';
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

  /** A new order: its hold's expiry, the room's stock and "just bought" note. */
  private placed({ order, buyerName, pinnedProductId }: Extract<Outcome, { kind: 'created' }>): void {
    this.metrics.created.inc();
    this.expiry.schedule([order.id], order.expiresAt);
    this.signals.stockChanged(order.items.map((i) => i.productId));
    if (order.streamId === null) return;
    const title = order.items.find((i) => i.productId === pinnedProductId)?.title;
    this.signals.orderPlaced(order.streamId, publicBuyerName(buyerName), title ?? order.items[0].title);
  }

  /** Who may read an order: its buyer, its shop, admins. Others get 404 (no existence leak). */
  async getVisible(user: AuthUser, id: string): Promise<Order> {
    const o = await this.orders.findById(id);
    if (!o || !canSee(user, o)) throw new NotFoundError('Order', id);
    return o;
  }

  async get(user: AuthUser, id: string): Promise<OrderDto> {
    return toOrderDto(await this.getVisible(user, id));
  }

  async listMine(
    user: AuthUser,
    q: { mine?: boolean; status?: OrderStatus; limit?: number; offset?: number },
  ): Promise<{ items: OrderDto[]; total: number }> {
    const all = user.roles.includes('admin') && q.mine !== true;
    const page = await this.orders.list({
      buyerId: all ? undefined : user.id,
      status: q.status,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    return { items: page.items.map(toOrderDto), total: page.total };
  }

  async listForMerchant(
    user: AuthUser,
    q: { streamId?: string; status?: OrderStatus; limit?: number; offset?: number },
  ): Promise<{ items: OrderDto[]; total: number }> {
    const page = await this.orders.list({
      merchantId: user.roles.includes('admin') ? undefined : user.id,
      streamId: q.streamId,
      status: q.status,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    return { items: page.items.map(toOrderDto), total: page.total };
  }

  /** Buyer (or admin) cancels an unpaid order; its units return to stock. */
  async cancel(user: AuthUser, id: string): Promise<OrderDto> {
    const o = await this.getVisible(user, id);
    if (o.buyerId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError('Only the buyer can cancel an order; the shop refunds paid ones');
    }
    return this.releaseOne(o, 'cancel');
  }

  /** The shop (or an admin) refunds a paid order; its units return to stock. */
  async refund(user: AuthUser, id: string): Promise<OrderDto> {
    const o = await this.getVisible(user, id);
    this.assertShop(user, o);
    return this.releaseOne(o, 'refund');
  }

  async fulfil(user: AuthUser, id: string): Promise<OrderDto> {
    const o = await this.getVisible(user, id);
    this.assertShop(user, o);
    if (!(await this.orders.move(id, 'paid', 'fulfilled'))) await this.illegal(id, 'fulfil');
    return this.get(user, id);
  }

  assertShop(user: AuthUser, o: Order): void {
    if (o.merchantId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError("Only the order's shop can do this");
    }
  }

  private async releaseOne(o: Order, move: 'cancel' | 'refund'): Promise<OrderDto> {
    const { from, to } = MOVES[move];
    const released = await this.orders.release([o.id], from, to as 'cancelled' | 'refunded');
    if (released.length === 0) await this.illegal(o.id, move);
    this.metrics.released.inc({ reason: to }, 1);
    this.signals.stockChanged(released[0].productIds);
    const fresh = await this.orders.findById(o.id);
    return toOrderDto(fresh!);
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
