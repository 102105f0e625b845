import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import {
  BadRequestError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnprocessableError,
  ValidationError,
} from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { STATE_STORE } from '../infra/infra.module';
import type { StateStore } from '../infra/state-store';
import { CommerceSignals } from '../room/commerce-signals';
import {
  decideBatch,
  publicBuyerName,
  Refusal,
  reservationOrder,
  type ReservationSnapshot,
  type ReserveRequest,
} from './allocation';
import type { CreateOrderDto, OrderDto } from './dto/order.dto';
import { LaneBatcher, laneHash } from './lane-batcher';
import { OrderExpiryService } from './order-expiry.service';
import { OrderMetrics } from './order-metrics';
import { illegalMoveMessage, MOVES, type Order, type OrderMove, type OrderStatus } from './order.model';
import { OrdersRepository, type RefusalJson, type RowVersions, type WriteAnswer } from './orders.repository';
import type { HeldConnection, SqlRunner } from '../database/sql';

/** Concurrent reservation transactions per process (each holds one pooled connection while it runs). */
const LANES = 8;
/** Largest number of order requests one transaction carries. */
const MAX_BATCH = 256;
/**
 * Transactions of one lane in flight. One: a second would only wait on the
 * first's row locks, and the requests it took would have made the next batch
 * bigger (per-batch costs dominate; bench:orders medians 680 vs 560 orders/s).
 */
const INFLIGHT_PER_LANE = 1;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

type Outcome =
  | { kind: 'created'; order: Order; buyerName: string; pinnedProductId: string | null }
  | { kind: 'replay'; orderId: string }
  | { kind: 'rejected'; error: DomainError };

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
 * Orders: reservation with zero oversell, idempotent creation, the state
 * machine and its releases.
 *
 * Zero oversell, by construction rather than by checking afterwards:
 *  1. Stock lives in exactly one place per counter: `products.stock` and, for a
 *     flash sale, `pins.sale_remaining` (sale units also leave product stock).
 *  2. A batch is decided from one consistent read of the rows it depends on
 *     (lc_reserve_read: streams, current pins, products, stored keys,
 *     per-buyer usage), by the rules in allocation.ts, and written by one
 *     statement (lc_reserve_write) that first locks those pins and products
 *     (FOR NO KEY UPDATE, pins then products, by id) and goes on only if none
 *     changed since the read (row version, xmin). Every order and every release
 *     of a product updates its row, so an unchanged version means unchanged
 *     stock and unchanged per-buyer usage. The write inserts the orders and
 *     takes their units in the same statement: an order row exists if and only
 *     if its units were taken. A write that finds a changed row writes nothing
 *     and the batch is read and decided again; after ORDER_OPTIMISTIC_ATTEMPTS
 *     such rounds it is reserved by lc_reserve_orders, which decides the same
 *     rules in the database under the locks (reservation-model test: same
 *     answers).
 *  3. CHECK (stock >= 0) and CHECK (sale_remaining >= 0) turn any mistake in the
 *     above into a failed transaction, never a negative count.
 *  4. Units come back only through a conditional status change
 *     (`WHERE status = 'pending_payment'` or `'paid'`) in the same transaction
 *     as the increment: expiry, cancel and refund return them exactly once.
 *
 * Throughput: a hot product is a hot row whose lock lasts until the commit's
 * fsync, so one order per transaction would cap near 1/fsync (~300/s here).
 * Requests are batched per lane (LaneBatcher, natural batching: whatever
 * arrived while the previous batch ran), two round trips and one commit per
 * batch, and row locks are held only inside the write statement, never across
 * a Node event-loop turn. Deciding in TypeScript costs a few µs per order; the
 * same decision in PL/pgSQL over jsonb cost 100-200 µs of database CPU. One
 * batch per lane is in flight; the next one holds whatever arrived meanwhile.
 *
 * Idempotency: UNIQUE (buyer_id, idempotency_key) with the request's hash
 * stored beside it. A stored key is answered with its order (the caller
 * compares hashes: same → 200 with that order, different → 422), twins within
 * the batch with the first one's answer, and the write inserts with ON
 * CONFLICT DO NOTHING: a twin committed concurrently by another transaction or
 * replica makes the row skip, the decrements are summed from inserted orders
 * only, and the request answers with the stored order. One key can never
 * yield two orders.
 */
@Injectable()
export class OrdersService implements OnModuleDestroy {
  private readonly batcher: LaneBatcher<ReserveRequest, Outcome>;
  /** Each lane's connection, held while the lane has batches to run (none on a small pool). */
  private readonly laneDb: (HeldConnection | undefined)[];

  constructor(
    private readonly orders: OrdersRepository,
    private readonly metrics: OrderMetrics,
    private readonly notifier: CommerceSignals,
    private readonly expiry: OrderExpiryService,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A busy lane keeps its connection from one batch to the next, so lanes hold
    // connections only when the pool has as many again for everything else
    // (the default DATABASE_POOL_SIZE of 20 does); on a smaller pool a long sale
    // would starve other queries, and each statement takes a pooled one instead.
    const hold = this.config.database.poolSize >= 2 * LANES;
    this.laneDb = Array.from({ length: LANES }, () => (hold ? this.orders.hold() : undefined));
    this.batcher = new LaneBatcher<ReserveRequest, Outcome>({
      lanes: LANES,
      maxBatch: MAX_BATCH,
      inflightPerLane: INFLIGHT_PER_LANE,
      // Requests that would lock the same rows share a lane: same stream (its
      // pin) or, without a stream, the same first product.
      laneOf: (r) => laneHash(r.streamId ?? r.items[0].productId),
      run: (batch, lane) => this.runBatch(batch, this.laneDb[lane]),
      onIdle: (lane) => this.laneDb[lane]?.release(),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.batcher.close();
    for (const db of this.laneDb) db?.release();
  }

  async create(
    user: AuthUser,
    idempotencyKey: string | undefined,
    dto: CreateOrderDto,
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
    const items = dto.items
      .map((i) => ({ productId: i.productId.toLowerCase(), quantity: i.quantity }))
      .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
    for (let i = 1; i < items.length; i++) {
      if (items[i].productId === items[i - 1].productId) {
        throw new ValidationError(
          `items: product ${items[i].productId} appears twice; use one line with its quantity`,
        );
      }
    }
    const streamId = dto.streamId?.toLowerCase() ?? null;
    // The per-buyer rate limit is taken with the batch (one round trip for all
    // of its buyers, alongside the reservation's read; see runBatch).
    const outcome = await this.batcher.submit({
      buyerId: user.id,
      buyerName: user.name,
      idempotencyKey,
      requestHash: requestHash(streamId, items),
      streamId,
      items,
    });
    this.metrics.latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    switch (outcome.kind) {
      case 'created':
        return { order: toOrderDto(outcome.order), created: true };
      case 'rejected':
        this.metrics.rejected.inc({ code: outcome.error.code });
        throw outcome.error;
      case 'replay': {
        const stored = await this.orders.findById(outcome.orderId);
        if (!stored) throw new NotFoundError('Order', outcome.orderId);
        if (stored.requestHash !== requestHash(streamId, items)) throw keyReused(idempotencyKey);
        return { order: toOrderDto(stored), created: false };
      }
    }
  }

  /** Reserves one batch (see the class comment) and tells the room and the expiry queue. */
  private async runBatch(arrived: ReserveRequest[], db: SqlRunner | undefined): Promise<Outcome[]> {
    this.metrics.batchSize.observe(arrived.length);
    const perm = reservationOrder(arrived);
    const batch = perm.map((i) => arrived[i]);
    const endTimer = this.metrics.batchDuration.startTimer();
    // Rate limits and the first read in parallel: neither waits for the other.
    const { rateBurst, ratePerSecond } = this.config.orders;
    const [waits, firstRead] = await Promise.all([
      this.state.takeTokens(
        batch.map((r) => `orders:create:${r.buyerId}`),
        rateBurst,
        ratePerSecond,
      ),
      this.config.orders.optimisticAttempts > 0 ? this.orders.readForReservation(batch, db) : undefined,
    ]);
    const allowed = batch.filter((_, i) => waits[i] === 0);
    let reserved: Outcome[] | undefined;
    // A round loses only when another process changed one of the batch's pins or
    // products between its read and its write (a millisecond or two).
    for (let attempt = 1; attempt <= this.config.orders.optimisticAttempts && !reserved; attempt++) {
      reserved = await this.reserveOptimistic(allowed, db, attempt === 1 ? firstRead : undefined);
      if (!reserved) this.metrics.conflicts.inc({ outcome: 'retry' });
    }
    if (!reserved) {
      this.metrics.conflicts.inc({ outcome: 'locked' });
      reserved = await this.reserveLocked(allowed, db);
    }
    endTimer();
    let next = 0;
    const outcomes = batch.map((_, i): Outcome =>
      waits[i] === 0
        ? reserved[next++]
        : {
            kind: 'rejected',
            error: new RateLimitedError('Too many orders; try again shortly', waits[i] / 1000),
          },
    );

    const created = outcomes.flatMap((o) => (o.kind === 'created' ? [o] : []));
    if (created.length > 0) {
      this.metrics.created.inc(created.length);
      this.expiry.schedule(
        created.map((c) => c.order.id),
        created[0].order.expiresAt,
      );
      this.notifier.stockChanged(created.flatMap((c) => c.order.items.map((i) => i.productId)));
      for (const c of created) {
        if (c.order.streamId === null) continue;
        const title = c.order.items.find((i) => i.productId === c.pinnedProductId)?.title;
        this.notifier.orderPlaced(
          c.order.streamId,
          publicBuyerName(c.buyerName),
          title ?? c.order.items[0].title,
        );
      }
    }
    const byArrival = new Array<Outcome>(arrived.length);
    perm.forEach((original, sorted) => (byArrival[original] = outcomes[sorted]));
    return byArrival;
  }

  /**
   * Read, decide in TypeScript (allocation.ts), write if nothing changed
   * meanwhile: two round trips, no row lock held across them. Undefined when
   * a pin or product changed between the read and the write (nothing was
   * written; the caller tries again).
   */
  private async reserveOptimistic(
    batch: ReserveRequest[],
    db: SqlRunner | undefined,
    read?: { snapshot: ReservationSnapshot; versions: RowVersions },
  ): Promise<Outcome[] | undefined> {
    if (batch.length === 0) return [];
    const { snapshot, versions } = read ?? (await this.orders.readForReservation(batch, db));
    const { orders, state } = decideBatch(batch, snapshot);
    let written: WriteAnswer | undefined;
    if (orders.length > 0) {
      written = await this.orders.writeReservation(
        orders,
        versions,
        snapshot.nowMs,
        this.config.orders.holdSeconds,
        db,
      );
      if (!written.current) return undefined;
    }
    const outcomes: Outcome[] = [];
    for (let i = 0; i < batch.length; i++) {
      const d = state.decisions[i];
      if (d.ok === 'replay') {
        outcomes.push({ kind: 'replay', orderId: d.orderId });
      } else if (d.ok === 'twin') {
        outcomes.push(twinOutcome(outcomes[d.of], batch[d.of], batch[i]));
      } else if (!d.ok) {
        outcomes.push({ kind: 'rejected', error: d.error });
      } else if (!written!.inserted.has(d.order.id)) {
        outcomes.push(await this.storedMeanwhile(batch[i], db));
      } else {
        const n = d.order;
        const pin =
          n.pinId === null || n.streamId === null ? undefined : state.alloc.pinsByStream.get(n.streamId);
        outcomes.push({
          kind: 'created',
          buyerName: n.buyerName,
          pinnedProductId: pin?.productId ?? null,
          order: {
            id: n.id,
            buyerId: n.buyerId,
            merchantId: n.merchantId,
            status: 'pending_payment',
            currency: n.currency,
            totalCents: n.totalCents,
            streamId: n.streamId,
            pinId: n.pinId,
            streamOffsetMs: n.streamOffsetMs,
            items: n.items,
            createdAt: written!.createdAt,
            expiresAt: written!.expiresAt,
            paidAt: null,
            fulfilledAt: null,
            closedAt: null,
          },
        });
      }
    }
    return outcomes;
  }

  /**
   * The same rules decided inside the database under row locks, in one
   * statement (lc_reserve_orders, Commerce migration): the path when a batch's
   * rows keep changing under it (several replicas selling one product at full
   * speed), since a locked batch cannot be overtaken.
   */
  private async reserveLocked(batch: ReserveRequest[], db: SqlRunner | undefined): Promise<Outcome[]> {
    if (batch.length === 0) return [];
    const ids = batch.map(() => randomUUID());
    const answer = await this.orders.reserve(batch, ids, this.config.orders.holdSeconds, db);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < batch.length; i++) {
      const req = batch[i];
      const r = answer.results[i];
      if (r.k === 'replay') {
        outcomes.push({ kind: 'replay', orderId: r.id });
      } else if (r.k === 'twin') {
        outcomes.push(twinOutcome(outcomes[r.of], batch[r.of], req));
      } else if (r.k === 'refused') {
        outcomes.push({ kind: 'rejected', error: refusal(r, req) });
      } else if (!answer.inserted.has(ids[i])) {
        outcomes.push(await this.storedMeanwhile(req, db));
      } else {
        outcomes.push({
          kind: 'created',
          buyerName: req.buyerName,
          pinnedProductId: r.pp,
          order: {
            id: ids[i],
            buyerId: req.buyerId,
            merchantId: r.m,
            status: 'pending_payment',
            currency: r.c,
            totalCents: Number(r.t),
            streamId: req.streamId,
            pinId: r.p,
            streamOffsetMs: r.off === null ? null : Number(r.off),
            items: req.items.map((it, j) => ({
              productId: it.productId,
              title: r.titles[j],
              quantity: it.quantity,
              unitPriceCents: r.units[j],
              sale: r.sales[j],
            })),
            createdAt: answer.createdAt,
            expiresAt: answer.expiresAt,
            paidAt: null,
            fulfilledAt: null,
            closedAt: null,
          },
        });
      }
    }
    return outcomes;
  }

  /** A twin of this key was committed meanwhile by another transaction or replica: answer with it. */
  private async storedMeanwhile(req: ReserveRequest, db: SqlRunner | undefined): Promise<Outcome> {
    const id = await this.orders.findIdByKey(req.buyerId, req.idempotencyKey, db);
    return id
      ? { kind: 'replay', orderId: id }
      : {
          kind: 'rejected',
          error: new ConflictError('A concurrent request with this key failed; retry', 'retry'),
        };
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
    this.notifier.stockChanged(released[0].productIds);
    const fresh = await this.orders.findById(o.id);
    return toOrderDto(fresh!);
  }

  private async illegal(id: string, move: OrderMove): Promise<never> {
    const status = await this.orders.status(id);
    if (!status) throw new NotFoundError('Order', id);
    throw new ConflictError(illegalMoveMessage(id, move, status), 'illegal_transition', { status });
  }
}

/** A second request with a key already in this batch gets what the first got (or 422 for another body). */
function twinOutcome(first: Outcome, firstReq: ReserveRequest, req: ReserveRequest): Outcome {
  if (first.kind === 'created') return { kind: 'replay', orderId: first.order.id };
  if (first.kind === 'replay') return first;
  if (firstReq.requestHash === req.requestHash) return first;
  return { kind: 'rejected', error: keyReused(req.idempotencyKey) };
}

function keyReused(key: string): UnprocessableError {
  return new UnprocessableError(
    `Idempotency-Key "${key}" was already used for a different order; use a new key for a new order`,
    'idempotency_key_reused',
  );
}

/** The DomainError of a refusal from the database, worded as the model words it (Refusal). */
function refusal(r: RefusalJson, req: ReserveRequest): DomainError {
  switch (r.code) {
    case 'unknown_stream':
      return Refusal.unknownStream(req.streamId ?? '');
    case 'stream_has_no_shop':
      return Refusal.streamHasNoShop(req.streamId ?? '');
    case 'unknown_product':
      return Refusal.unknownProduct(r.product);
    case 'mixed_currencies':
      return Refusal.mixedCurrencies(r.a, r.b);
    case 'mixed_shops':
      return Refusal.mixedShops(r.a, r.b);
    case 'product_not_in_stream':
      return Refusal.productNotInStream(r.p, req.streamId ?? '');
    case 'sold_out':
      return Refusal.soldOut(r.p, r.remaining);
    case 'out_of_stock':
      return Refusal.outOfStock(r.p, r.remaining);
    case 'buyer_limit':
      return Refusal.buyerLimit(r.p, r.limit, r.used);
  }
}

function canSee(user: AuthUser, o: Order): boolean {
  return o.buyerId === user.id || o.merchantId === user.id || user.roles.includes('admin');
}
