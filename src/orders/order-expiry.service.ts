import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { QUEUES } from '../infra/infra.module';
import type { JobQueue, QueueFactory } from '../infra/queue';
import { RoomNotifier } from '../pins/room-notifier';
import { OrderMetrics } from './order-metrics';
import { OrdersRepository } from './orders.repository';

export const ORDER_EXPIRY_QUEUE = 'order-expiry';

export interface OrderExpiryJob {
  orderIds: string[];
}

/** Jobs fire this much after the hold ends, so the database agrees the hold is over. */
const SLACK_MS = 500;
const SWEEP_CHUNK = 500;

/**
 * Unpaid orders expire twice over:
 *  - a delayed job per reservation batch (BullMQ with Redis, in-process
 *    timers without), which is the prompt path;
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

  constructor(
    private readonly orders: OrdersRepository,
    private readonly metrics: OrderMetrics,
    private readonly notifier: RoomNotifier,
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

  /** Queues the expiry of orders that share one hold end. Never throws: the sweep is the backstop. */
  schedule(orderIds: string[], expiresAt: Date): void {
    if (orderIds.length === 0) return;
    const delayMs = Math.max(0, expiresAt.getTime() - Date.now()) + SLACK_MS;
    this.queue
      .add('expire', { orderIds }, { jobId: `exp-${orderIds[0]}`, delayMs, attempts: 5, backoffMs: 1000 })
      .catch((e: unknown) =>
        this.logger.warn(
          `could not queue expiry of ${orderIds.length} orders (the sweep will expire them): ${
            e instanceof Error ? e.message : String(e)
          }`,
        ),
      );
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

  /** Expires every overdue hold, in chunks. One sweep at a time per process. */
  sweep(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.sweeping ??= (async () => {
      let total = 0;
      try {
        for (;;) {
          const released = await this.orders.release('all-due', 'pending_payment', 'expired', {
            skipLocked: true,
            limit: SWEEP_CHUNK,
          });
          this.afterRelease(released);
          total += released.length;
          if (released.length < SWEEP_CHUNK || this.closed) break;
        }
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
