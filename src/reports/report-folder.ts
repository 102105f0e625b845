import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, ReportsConfig } from '../config/config';
import { ROOM_EVENTS } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import type { WebhookEvent } from '../webhooks/webhook-events';
import { WebhooksService } from '../webhooks/webhooks.service';
import { ReportsRepository, type FoldedRow } from './reports.repository';

/** Which webhook event a journal row announces, if any. */
export function webhookEventOf(r: FoldedRow): WebhookEvent | null {
  if (r.sign !== 1) return null;
  if (r.op === 'created') return 'order.created';
  if (r.status === 'paid') return 'order.paid';
  if (r.status === 'fulfilled') return 'order.fulfilled';
  if (r.status === 'refunded' || r.op === 'refund') return 'order.refunded';
  return null;
}

/**
 * Milliseconds until the next background fold: REPORTS_FOLD_MS, stretched so
 * that background folding takes at most REPORTS_FOLD_MAX_PERCENT of wall time.
 * A flash sale journals orders faster than one core folds them; without the
 * cap the folder would take that core from order intake. Capped, the journal
 * grows during the burst and is folded after it (reports still fold before
 * reading, so they stay exact; the GMV ticker lags).
 */
export function nextFoldDelay(
  lastFoldMs: number,
  c: Pick<ReportsConfig, 'foldMs' | 'foldMaxPercent'>,
): number {
  return Math.max(c.foldMs, Math.ceil((lastFoldMs * (100 - c.foldMaxPercent)) / c.foldMaxPercent));
}

/**
 * After one background batch: the next one right away when a backlog is left
 * and nothing is being journaled any more (the burst is over: catch up at full
 * speed), otherwise after nextFoldDelay (orders are coming in: the cap holds).
 */
export function backgroundFoldDelay(
  last: { ms: number; backlog: boolean; journalGrowing: boolean },
  c: Pick<ReportsConfig, 'foldMs' | 'foldMaxPercent'>,
): number {
  return last.backlog && !last.journalGrowing ? 0 : nextFoldDelay(last.ms, c);
}

/**
 * Folds the order journal into the rollups (reports_fold and reports_apply, src/database/functions), every
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
  /** The journal's highest sequence number after the last background batch that left a backlog. */
  private journalHead = 0;
  private readonly config: ReportsConfig;

  constructor(
    private readonly repo: ReportsRepository,
    private readonly webhooks: WebhooksService,
    private readonly rooms: RoomPublisher,
    @Inject(APP_CONFIG) app: AppConfig,
  ) {
    this.config = app.reports;
  }

  /**
   * Background folding: one batch (one transaction of at most
   * REPORTS_FOLD_BATCH rows) per tick, so the cap on its share of wall time
   * holds during a burst however long the journal gets, and no fold
   * transaction lasts long. (Draining the whole journal per tick once took a
   * single 58 s transaction of 50,000 rows in a 150,000-unit sale: a core of
   * PostgreSQL for a minute, and its snapshot kept the sale's pin and product
   * rows from being pruned meanwhile, so every reservation read got slower.)
   */
  onApplicationBootstrap(): void {
    const tick = () => {
      if (this.closed) return;
      const started = performance.now();
      void this.backgroundBatch()
        .catch((e: unknown) => {
          this.logger.warn(`fold failed: ${e instanceof Error ? e.message : String(e)}`);
          return { backlog: false, journalGrowing: false };
        })
        .then((last) => {
          if (this.closed) return;
          const delay = backgroundFoldDelay({ ms: performance.now() - started, ...last }, this.config);
          this.timer = setTimeout(tick, delay);
        });
    };
    this.timer = setTimeout(tick, this.config.foldMs);
  }

  private async backgroundBatch(): Promise<{ backlog: boolean; journalGrowing: boolean }> {
    const backlog = (await this.exclusive(() => this.foldBatches(1))) === this.config.foldBatch;
    // Whether the journal grows matters only with a backlog (backgroundFoldDelay), so a quiet
    // journal costs no query per tick; after a quiet spell the head last seen is older, which
    // counts as growing for one more capped tick. Shutting down: the pool may be closing.
    if (!backlog || this.closed) return { backlog, journalGrowing: false };
    const head = await this.repo.journalHead();
    const journalGrowing = head > this.journalHead;
    this.journalHead = head;
    return { backlog, journalGrowing };
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Folds everything journaled so far; returns the number of journal rows folded. */
  fold(): Promise<number> {
    return this.exclusive(() => this.foldBatches(Infinity));
  }

  /**
   * One run at a time in this process. A run that started earlier may miss
   * rows committed after it began, so a caller that arrives during a run
   * waits for it and then runs its own.
   */
  private async exclusive(fn: () => Promise<number>): Promise<number> {
    while (this.running) await this.running.catch(() => undefined);
    const run = fn();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  /** Folds up to `maxBatches` transactions of REPORTS_FOLD_BATCH rows, stopping early when the journal is empty. */
  private async foldBatches(maxBatches: number): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      let deliveries: string[] = [];
      const rows = await this.repo.fold(this.config.foldBatch, async (folded, q) => {
        const events = folded.flatMap((r) => {
          const event = webhookEventOf(r);
          return event ? [{ orderId: r.orderId, event, refundId: r.refundId }] : [];
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
        await this.rooms.publish(t.streamId, {
          event: ROOM_EVENTS.gmvUpdate,
          staffOnly: true,
          data: { currency: t.currency, gmvCents: t.totals.gmvCents, orders: t.totals.orders },
        });
      }
    } catch (e) {
      this.logger.warn(`gmv ticker failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
