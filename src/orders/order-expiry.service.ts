import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { QUEUES } from '../infra/infra.module';
import type { JobQueue, QueueFactory } from '../infra/queue';
import { CommerceSignals } from '../room/commerce-signals';
import { OrderMetrics } from './order-metrics';
import { OrdersRepository } from './orders.repository';

export const ORDER_EXPIRY_QUEUE = 'order-expiry';

/**
 * `dueBy`: expire every hold that has ended (one job per second of hold ends).
 * `orderIds`: expire these orders (jobs queued by earlier versions, one per
 * reservation batch; still honoured so none is lost across an upgrade).
 */
export interface OrderExpiryJob {
  dueBy?: number;
  orderIds?: string[];
}

/** Jobs fire this much after the hold ends, so the database agrees the hold is over. */
const SLACK_MS = 500;
/** Holds ending within the same second share one delayed job. */
const BUCKET_MS = 1000;
const SWEEP_CHUNK = 500;

/**
 * Unpaid orders expire twice over:
 *  - a delayed job per second of hold ends (BullMQ with Redis, in-process
 *    timers without), which is the prompt path. It expires whatever is due
 *    when it runs, so the reservation batches of one second (hundreds in a
 *    flash sale) share one job: the process queues a job only when a batch's
 *    hold ends in a later second than the last one it queued, and replicas
 *    share the job id, so BullMQ keeps one per second;
 *  - a sweep at boot and every ORDER_SWEEP_SECONDS in every process, which
 *    catches holds whose job died with a process (the in-process queue is not
 *    durable) or was never queued (Redis down at that moment).
 * Both run the same conditional release, so racing them is harmless.
 */
@Injectable()
export class OrderExpiryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OrderExpiry');
  private readonly queue: JobQueue<OrderExpiryJob>;
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;
  private closed = false;
  /** The hold-end second (epoch ms, rounded up) of the last job queued. */
  private lastBucket = 0;

  constructor(
    private readonly orders: OrdersRepository,
    private readonly metrics: OrderMetrics,
    private readonly notifier: CommerceSignals,
    @Inject(QUEUES) queues: QueueFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.queue = queues.get<OrderExpiryJob>(ORDER_EXPIRY_QUEUE);
  }

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.orders.sweepSeconds * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /**
   * Makes sure a job expires orders whose hold ends at `expiresAt`: at most
   * one job per second of hold ends. Never throws: the sweep is the backstop.
   */
  schedule(orderIds: string[], expiresAt: Date): void {
    if (orderIds.length === 0) return;
    const bucket = Math.ceil(expiresAt.getTime() / BUCKET_MS) * BUCKET_MS;
    if (bucket === this.lastBucket) return;
    this.lastBucket = bucket;
    const delayMs = Math.max(0, bucket - Date.now()) + SLACK_MS;
    this.queue
      .add('expire', { dueBy: bucket }, { jobId: `exp-due-${bucket}`, delayMs, attempts: 5, backoffMs: 1000 })
      .catch((e: unknown) => {
        // The next batch of this second tries again.
        if (this.lastBucket === bucket) this.lastBucket = 0;
        this.logger.warn(
          `could not queue the expiry of holds ending by ${new Date(bucket).toISOString()} (the sweep will expire them): ${
            e instanceof Error ? e.message : String(e)
          }`,
        );
      });
  }

  /** Runs one expiry job. Throws when the database fails, so the queue retries. */
  async run(job: OrderExpiryJob): Promise<number> {
    return job.orderIds ? this.expire(job.orderIds) : this.expireDue();
  }

  /** Expires those of `orderIds` still unpaid past their hold. Returns how many. */
  async expire(orderIds: string[]): Promise<number> {
    const released = await this.orders.release(orderIds, 'pending_payment', 'expired', {
      due: true,
      skipLocked: true,
      limit: orderIds.length,
    });
    this.afterRelease(released);
    return released.length;
  }

  /**
   * Expires every hold that has ended, in chunks (rows another process is
   * expiring are skipped, not waited for). Returns how many.
   */
  async expireDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const released = await this.orders.release('all-due', 'pending_payment', 'expired', {
        skipLocked: true,
        limit: SWEEP_CHUNK,
      });
      this.afterRelease(released);
      total += released.length;
      if (released.length < SWEEP_CHUNK || this.closed) return total;
    }
  }

  /** `expireDue` as the backstop: logs instead of throwing. One sweep at a time per process. */
  sweep(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.sweeping ??= (async () => {
      let total = 0;
      try {
        total = await this.expireDue();
        if (total > 0) this.logger.log(`sweep expired ${total} overdue orders`);
      } catch (e) {
        this.logger.warn(`expiry sweep failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.sweeping = undefined;
      }
      return total;
    })();
    return this.sweeping;
  }

  private afterRelease(released: { productIds: string[] }[]): void {
    if (released.length === 0) return;
    this.metrics.expired.inc(released.length);
    this.metrics.released.inc({ reason: 'expired' }, released.length);
    this.notifier.stockChanged(released.flatMap((r) => r.productIds));
  }
}
