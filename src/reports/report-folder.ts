import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub } from '../infra/pubsub';
import { roomChannel, type RoomEvent } from '../live/live-events';
import type { WebhookEvent } from '../webhooks/webhook-events';
import { WebhooksService } from '../webhooks/webhooks.service';
import { REPORTS_CONFIG, type ReportsConfig } from './reports.config';
import { ReportsRepository, type FoldedRow } from './reports.repository';

/** Which webhook event a journal row announces, if any. */
export function webhookEventOf(r: FoldedRow): WebhookEvent | null {
  if (r.sign !== 1) return null;
  if (r.op === 'created') return 'order.created';
  if (r.status === 'paid') return 'order.paid';
  if (r.status === 'refunded') return 'order.refunded';
  return null;
}

/**
 * Milliseconds until the next background fold: REPORTS_FOLD_MS, stretched so
 * that background folding takes at most REPORTS_FOLD_MAX_PERCENT of wall time.
 * A flash sale journals orders faster than one core folds them; without the
 * cap the folder would take that core from order intake. Capped, the journal
 * grows during the burst and is folded in larger batches after it (reports
 * still fold before reading, so they stay exact; the GMV ticker lags).
 */
export function nextFoldDelay(
  lastFoldMs: number,
  c: Pick<ReportsConfig, 'foldMs' | 'foldMaxPercent'>,
): number {
  return Math.max(c.foldMs, Math.ceil((lastFoldMs * (100 - c.foldMaxPercent)) / c.foldMaxPercent));
}

/**
 * Folds the order journal into the rollups (see the Reports migration), every
 * REPORTS_FOLD_MS in the background and on demand before each report. Only
 * one fold runs at a time across all replicas (advisory lock), so the
 * journal rows a fold consumed are consumed once: that fold records their
 * webhook deliveries in the same transaction and, after the commit, queues
 * them and sends the live GMV ticker (`gmv:update`, staffOnly) of every
 * stream whose numbers moved.
 */
@Injectable()
export class ReportFolder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReportFolder');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private closed = false;

  constructor(
    private readonly repo: ReportsRepository,
    private readonly webhooks: WebhooksService,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(REPORTS_CONFIG) private readonly config: ReportsConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      if (this.closed) return;
      const started = performance.now();
      this.fold()
        .catch((e: unknown) => this.logger.warn(`fold failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          if (!this.closed)
            this.timer = setTimeout(tick, nextFoldDelay(performance.now() - started, this.config));
        });
    };
    this.timer = setTimeout(tick, this.config.foldMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Folds everything journaled so far; returns the number of journal rows folded. */
  async fold(): Promise<number> {
    // Calls in this process share one run; a run that started earlier may
    // miss rows committed after it began, so a caller that arrives during a
    // run waits for it and then runs again.
    while (this.running) await this.running.catch(() => undefined);
    const run = this.foldAll();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private async foldAll(): Promise<number> {
    let total = 0;
    for (;;) {
      let deliveries: string[] = [];
      const rows = await this.repo.fold(this.config.foldBatch, async (folded, q) => {
        const events = folded.flatMap((r) => {
          const event = webhookEventOf(r);
          return event ? [{ orderId: r.orderId, event }] : [];
        });
        deliveries = await this.webhooks.addOrderEvents(q, events);
      });
      total += rows.length;
      if (rows.length === 0) break;
      await this.after(rows, deliveries);
      if (rows.length < this.config.foldBatch) break;
    }
    return total;
  }

  private async after(rows: FoldedRow[], deliveries: string[]): Promise<void> {
    try {
      await this.webhooks.enqueue(deliveries);
    } catch (e) {
      // The rows stay pending; the webhook sweep queues them again.
      this.logger.warn(`queueing webhooks failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      const streams = await this.repo.streamsOfOrders([...new Set(rows.map((r) => r.orderId))]);
      for (const t of await this.repo.streamTotals(streams)) {
        const event: RoomEvent = {
          event: 'gmv:update',
          staffOnly: true,
          data: { currency: t.currency, gmvCents: t.totals.gmvCents, orders: t.totals.orders },
        };
        await this.pubsub.publish(roomChannel(t.streamId), event);
      }
    } catch (e) {
      this.logger.warn(`gmv ticker failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
