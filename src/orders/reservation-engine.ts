import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ACCESS_CHECK, type AccessCheck, sessionEnded } from '../common/auth/access-check';
import {
  ConflictError,
  type DomainError,
  RateLimitedError,
  UnprocessableError,
} from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import type { HeldConnection, SqlRunner, SqlSession } from '../database/sql';
import { STATE_STORE } from '../infra/infra.module';
import type { StateStore } from '../infra/state-store';
import { decideBatch, reservationOrder, type ReserveRequest } from './allocation';
import { LaneBatcher, laneHash } from './lane-batcher';
import { OrderMetrics } from './order-metrics';
import type { Order } from './order.model';
import { ReservationRepository, type ReservationRead, type WriteAnswer } from './reservation.repository';

/** What the engine answers for one request. */
export type Outcome =
  | { kind: 'created'; order: Order; buyerName: string; pinnedProductId: string | null }
  | { kind: 'replay'; orderId: string }
  | { kind: 'rejected'; error: DomainError };

/** Concurrent reservation batches per process (each on one connection while it runs). */
const LANES = 8;
/** Largest number of order requests one batch carries. */
const MAX_BATCH = 256;
/**
 * Batches of one lane in flight. One: a second would only wait on the first's
 * row locks, and the requests it took would have made the next batch bigger.
 */
const INFLIGHT_PER_LANE = 1;
/** Rounds under row locks before a batch is answered "retry" (a round fails only if a pin is replaced between its lock and its read). */
const LOCKED_ATTEMPTS = 3;

/**
 * The reservation engine: turns order requests into reserved units with
 * zero oversell, many requests per database round trip.
 *
 *  - **Lanes and batches.** Requests that would lock the same rows (same
 *    stream, or without one the same first product) share a lane; a lane runs
 *    one batch at a time, and a batch is whatever arrived while the previous
 *    one ran (LaneBatcher, natural batching), so one commit carries many
 *    orders when it is busy and one order waits for nothing when it is quiet.
 *  - **Held connections.** A busy lane keeps one pooled connection from one
 *    batch to the next (HeldConnection), when the pool has as many again for
 *    everything else; otherwise each statement takes a pooled one.
 *  - **Buyers to confirm.** A buyer whose token the guard let through
 *    without a lookup (@ConfirmsUser) is checked by the batch's own read and
 *    refused with 401 if it does not exist: no wait ahead of the batch.
 *  - **One decision code.** Every batch is decided by `decideBatch`
 *    (allocation.ts: stock, sale stock, per-buyer limits, idempotency) from a
 *    snapshot read by lc_reserve_read. Optimistically, the snapshot is read
 *    without locks and lc_reserve_write writes only if no pin or product
 *    changed since (row versions); a batch that loses
 *    ORDER_OPTIMISTIC_ATTEMPTS such rounds (another replica selling the same
 *    rows at full speed) takes the row locks first, in a transaction, and
 *    reads and decides under them, so it cannot be overtaken.
 *
 * The per-buyer rate limit is taken per batch: one round trip for all of its
 * buyers, alongside the first read.
 */
@Injectable()
export class ReservationEngine implements OnModuleDestroy {
  private readonly batcher: LaneBatcher<ReserveRequest, Outcome>;
  /** Each lane's connection, held while the lane has batches to run (none on a small pool). */
  private readonly laneDb: (HeldConnection | undefined)[];

  constructor(
    private readonly repo: ReservationRepository,
    private readonly metrics: OrderMetrics,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ACCESS_CHECK) private readonly access: AccessCheck,
  ) {
    // A busy lane keeps its connection for a whole sale, so lanes hold one only
    // when the pool has as many again for every other query.
    const hold = this.config.database.poolSize >= 2 * LANES;
    this.laneDb = Array.from({ length: LANES }, () => (hold ? this.repo.hold() : undefined));
    this.batcher = new LaneBatcher<ReserveRequest, Outcome>({
      lanes: LANES,
      maxBatch: MAX_BATCH,
      inflightPerLane: INFLIGHT_PER_LANE,
      laneOf: (r) => laneHash(r.streamId ?? r.items[0].productId),
      run: (batch, lane) => this.runBatch(batch, this.laneDb[lane] ?? this.repo.pool),
      onIdle: (lane) => this.laneDb[lane]?.release(),
    });
  }

  /** Reserves one request (it joins its lane's next batch). */
  reserve(request: ReserveRequest): Promise<Outcome> {
    return this.batcher.submit(request);
  }

  async onModuleDestroy(): Promise<void> {
    await this.batcher.close();
    for (const db of this.laneDb) db?.release();
  }

  private async runBatch(arrived: ReserveRequest[], db: SqlSession): Promise<Outcome[]> {
    this.metrics.batchSize.observe(arrived.length);
    const perm = reservationOrder(arrived);
    const batch = perm.map((i) => arrived[i]);
    const endTimer = this.metrics.batchDuration.startTimer();
    const { rateBurst, ratePerSecond, optimisticAttempts } = this.config.orders;
    // Rate limits and the first read in parallel: neither waits for the other.
    const [waits, firstRead] = await Promise.all([
      this.state.takeTokens(
        batch.map((r) => `orders:create:${r.buyerId}`),
        rateBurst,
        ratePerSecond,
      ),
      optimisticAttempts > 0 ? this.repo.read(batch, db) : undefined,
    ]);
    const allowed = batch.filter((_, i) => waits[i] === 0);
    let reserved: Outcome[] | undefined;
    // A round loses only when another process changed one of the batch's pins or
    // products between its read and its write.
    for (let attempt = 1; attempt <= optimisticAttempts && !reserved; attempt++) {
      const read = attempt === 1 && firstRead ? firstRead : await this.repo.read(allowed, db);
      reserved = await this.decideAndWrite(allowed, db, read);
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
    const byArrival = new Array<Outcome>(arrived.length);
    perm.forEach((original, sorted) => (byArrival[original] = outcomes[sorted]));
    return byArrival;
  }

  /** The batch read, decided and written under its row locks, in one transaction. */
  private async reserveLocked(batch: ReserveRequest[], db: SqlSession): Promise<Outcome[]> {
    for (let attempt = 1; attempt <= LOCKED_ATTEMPTS; attempt++) {
      const outcomes = await db.tx(async (q) => {
        await this.repo.lock(batch, q);
        return this.decideAndWrite(batch, q, await this.repo.read(batch, q));
      });
      if (outcomes) return outcomes;
    }
    const busy = new ConflictError('The sale is too busy to take this order now; retry', 'retry');
    return batch.map(() => ({ kind: 'rejected', error: busy }));
  }

  /**
   * Decides the batch from `read` and writes what it decided, if the rows it
   * read are unchanged. Undefined when one changed (nothing was written).
   * Requests of buyers the read found gone are answered 401 and left out.
   */
  private async decideAndWrite(
    batch: ReserveRequest[],
    q: SqlRunner,
    read: ReservationRead,
  ): Promise<Outcome[] | undefined> {
    const gone = this.buyersGone(batch, read.buyersFound);
    if (!gone) return this.decideAndWriteKnown(batch, q, read);
    const outcomes = await this.decideAndWriteKnown(
      batch.filter((_, i) => !gone[i]),
      q,
      read,
    );
    if (!outcomes) return undefined;
    let next = 0;
    return batch.map((_, i): Outcome =>
      gone[i] ? { kind: 'rejected', error: sessionEnded() } : outcomes[next++],
    );
  }

  /** decideAndWrite for requests whose buyers are known to exist. */
  private async decideAndWriteKnown(
    batch: ReserveRequest[],
    q: SqlRunner,
    { snapshot, versions }: ReservationRead,
  ): Promise<Outcome[] | undefined> {
    if (batch.length === 0) return [];
    const { orders, state } = decideBatch(batch, snapshot);
    let written: WriteAnswer | undefined;
    if (orders.length > 0) {
      written = await this.repo.write(orders, versions, snapshot.nowMs, this.config.orders.holdSeconds, q);
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
        outcomes.push(await this.storedMeanwhile(batch[i], q));
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
   * Which requests' buyers turned out not to exist (undefined when none did),
   * among those whose token the guard let through unconfirmed; the others
   * are now known to the AccessCheck, so their next tokens need no read.
   */
  private buyersGone(batch: ReserveRequest[], found: Set<string>): boolean[] | undefined {
    let gone: boolean[] | undefined;
    const confirmed: string[] = [];
    batch.forEach((r, i) => {
      if (!r.confirmBuyer) return;
      if (found.has(r.buyerId.toLowerCase())) confirmed.push(r.buyerId);
      else (gone ??= new Array<boolean>(batch.length).fill(false))[i] = true;
    });
    if (confirmed.length > 0) this.access.confirmed(confirmed);
    return gone;
  }

  /** A twin of this key was committed meanwhile by another transaction or replica: answer with it. */
  private async storedMeanwhile(req: ReserveRequest, q: SqlRunner): Promise<Outcome> {
    const id = await this.repo.findIdByKey(req.buyerId, req.idempotencyKey, q);
    return id
      ? { kind: 'replay', orderId: id }
      : {
          kind: 'rejected',
          error: new ConflictError('A concurrent request with this key failed; retry', 'retry'),
        };
  }
}

/** A second request with a key already in this batch gets what the first got (or 422 for another body). */
function twinOutcome(first: Outcome, firstReq: ReserveRequest, req: ReserveRequest): Outcome {
  if (first.kind === 'created') return { kind: 'replay', orderId: first.order.id };
  if (first.kind === 'replay') return first;
  if (firstReq.requestHash === req.requestHash) return first;
  return { kind: 'rejected', error: keyReused(req.idempotencyKey) };
}

export function keyReused(key: string): DomainError {
  return new UnprocessableError(
    `Idempotency-Key "${key}" was already used for a different order; use a new key for a new order`,
    'idempotency_key_reused',
  );
}
