import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** Prometheus metrics of the order path, registered on the app's registry. */
@Injectable()
export class OrderMetrics {
  readonly created: Counter;
  readonly paid: Counter;
  readonly expired: Counter;
  readonly released: Counter<'reason'>;
  readonly rejected: Counter<'code'>;
  /** Time from request validation to the committed answer, per order. */
  readonly latency: Histogram;
  /** Orders per reservation transaction (how much one commit carries). */
  readonly batchSize: Histogram;
  /** Duration of one reservation batch: read, decision and write (retries included). */
  readonly batchDuration: Histogram;
  /** Reservation writes that found their rows changed since the read (`retry`), and batches that then took the locks (`locked`). */
  readonly conflicts: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.created = new Counter({
      name: 'livecart_orders_created_total',
      help: 'Orders created (units reserved)',
      registers,
    });
    this.paid = new Counter({ name: 'livecart_orders_paid_total', help: 'Orders paid', registers });
    this.expired = new Counter({
      name: 'livecart_orders_expired_total',
      help: 'Unpaid orders whose hold expired (units returned)',
      registers,
    });
    this.released = new Counter({
      name: 'livecart_orders_released_total',
      help: 'Orders whose units returned to stock, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.rejected = new Counter({
      name: 'livecart_orders_rejected_total',
      help: 'Order requests refused after validation, by error code',
      labelNames: ['code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'livecart_order_create_duration_seconds',
      help: 'Order creation latency inside the app (queueing, reservation transaction, commit)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'livecart_order_batch_size',
      help: 'Order requests per reservation transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200],
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'livecart_order_batch_duration_seconds',
      help: 'Reservation batch duration: read, decision and write, retries included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.conflicts = new Counter({
      name: 'livecart_order_reservation_conflicts_total',
      help: 'Reservation writes whose pins or products changed after the read (retry), and batches reserved under row locks after repeated conflicts (locked)',
      labelNames: ['outcome'],
      registers,
    });
  }
}
