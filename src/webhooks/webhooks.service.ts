import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, WebhooksConfig } from '../config/config';
import { PUBSUB, QUEUES } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import type { QueueFactory } from '../infra/queue';
import type { SqlRunner } from '../database/sql';
import { STREAM_LIFECYCLE_CHANNEL, type StreamLifecycleEvent } from '../room/channels';
import { urlProblem } from './url-guard';
import { sendWebhook } from './webhook-sender';
import {
  WEBHOOK_DELIVERY_QUEUE,
  WEBHOOK_EVENTS,
  type WebhookDeliveryJob,
  type WebhookEvent,
} from './webhook-events';
import type { CreatedWebhookView, DeliveryView, WebhookView } from './webhook-views';
import { WebhooksRepository, type DeliveryRow, type WebhookRow } from './webhooks.repository';

const view = (w: WebhookRow): WebhookView => ({
  id: w.id,
  url: w.url,
  events: w.events,
  createdAt: w.createdAt.toISOString(),
});

/** Pending deliveries older than this are re-queued (their job was lost with a process). */
const STALE_MS = 5 * 60_000;

/**
 * Merchant webhooks: registration, signed delivery with retries through the
 * job queue (BullMQ with Redis, in-process otherwise), and the delivery log.
 * Order events come from the reports folder (the order journal), stream
 * events from the lifecycle channel; each becomes a `webhook_deliveries` row
 * first (unique per webhook and event id), then a job whose id is the
 * delivery's, so duplicates collapse and a lost job is re-queued by a sweep.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private unsubscribe?: Unsubscribe;
  private sweep?: NodeJS.Timeout;
  private readonly config: WebhooksConfig;

  constructor(
    private readonly repo: WebhooksRepository,
    @Inject(APP_CONFIG) app: AppConfig,
    @Inject(QUEUES) private readonly queues: QueueFactory,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
  ) {
    this.config = app.webhooks;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(STREAM_LIFECYCLE_CHANNEL, (m) => {
      void this.onLifecycle(m as StreamLifecycleEvent);
    });
    this.sweep = setInterval(() => void this.requeueStale(), STALE_MS / 5);
    this.sweep.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await this.unsubscribe?.();
  }

  async register(user: AuthUser, url: string, events: WebhookEvent[]): Promise<CreatedWebhookView> {
    const problem = urlProblem(url, this.config.allowPrivate);
    if (problem) throw new ValidationError(problem, { field: 'url' });
    const unique = [...new Set(events)];
    for (const e of unique) {
      if (!WEBHOOK_EVENTS.includes(e)) {
        throw new ValidationError(`events: unknown event "${e}" (one of ${WEBHOOK_EVENTS.join(', ')})`, {
          field: 'events',
        });
      }
    }
    if ((await this.repo.count(user.id)) >= this.config.maxPerMerchant) {
      throw new ConflictError(
        `At most ${this.config.maxPerMerchant} webhooks per merchant`,
        'too_many_webhooks',
      );
    }
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const w = await this.repo.create(user.id, url, unique, secret);
    return { ...view(w), secret };
  }

  async list(user: AuthUser): Promise<WebhookView[]> {
    return (await this.repo.list(user.roles.includes('admin') ? null : user.id)).map(view);
  }

  private async owned(user: AuthUser, id: string): Promise<WebhookRow> {
    const w = await this.repo.find(id);
    if (!w) throw new NotFoundError('Webhook', id);
    if (w.merchantId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError('This webhook belongs to another merchant.');
    }
    return w;
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.owned(user, id);
    await this.repo.delete(id);
  }

  async deliveries(
    user: AuthUser,
    id: string,
    limit: number,
    offset: number,
  ): Promise<{ items: DeliveryView[]; total: number }> {
    await this.owned(user, id);
    const page = await this.repo.deliveries(id, limit, offset);
    return { total: page.total, items: page.items.map((d) => this.view(d)) };
  }

  private view(d: DeliveryRow): DeliveryView {
    return {
      id: d.id,
      event: d.event,
      eventId: d.eventId,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      payload: d.payload,
    };
  }

  /**
   * Sends a signed test event to the webhook now, once, and answers with how
   * it went (the delivery is in the log like any other, event `webhook.test`).
   */
  async test(user: AuthUser, id: string): Promise<DeliveryView> {
    const w = await this.owned(user, id);
    const eventId = `webhook.test:${randomBytes(9).toString('base64url')}`;
    const payload = {
      id: eventId,
      type: 'webhook.test',
      createdAt: new Date().toISOString(),
      data: { webhookId: w.id, message: 'A test delivery from livecart: your endpoint is reachable.' },
    };
    const deliveryId = await this.repo.addTest(w.id, eventId, payload);
    await this.attempt(deliveryId, this.config.maxAttempts - 1);
    return this.view((await this.repo.delivery(deliveryId))!);
  }

  /** Tries a failed delivery again, with a new round of attempts (WEBHOOK_MAX_ATTEMPTS). */
  async retry(user: AuthUser, id: string, deliveryId: string): Promise<DeliveryView> {
    await this.owned(user, id);
    const d = await this.repo.delivery(deliveryId);
    if (!d || d.webhookId !== id) throw new NotFoundError('Delivery', deliveryId);
    if (!(await this.repo.reopen(deliveryId))) {
      throw new ConflictError(
        d.status === 'succeeded'
          ? 'This delivery already succeeded; there is nothing to retry.'
          : 'This delivery is still being attempted; retry it once it has failed.',
        'not_failed',
        { status: d.status },
      );
    }
    await this.queues.get<WebhookDeliveryJob>(WEBHOOK_DELIVERY_QUEUE).add(
      'deliver',
      { deliveryId },
      {
        jobId: `${deliveryId}-retry-${Date.now()}`,
        attempts: this.config.maxAttempts,
        backoffMs: this.config.backoffMs,
      },
    );
    return this.view((await this.repo.delivery(deliveryId))!);
  }

  /** Records order events in the folder's transaction; `enqueue` the returned ids after it commits. */
  addOrderEvents(
    q: SqlRunner,
    events: { orderId: string; event: WebhookEvent; refundId?: string | null }[],
  ): Promise<string[]> {
    return this.repo.addOrderEvents(q, events);
  }

  async enqueue(deliveryIds: string[]): Promise<void> {
    const queue = this.queues.get<WebhookDeliveryJob>(WEBHOOK_DELIVERY_QUEUE);
    for (const id of deliveryIds) {
      await queue.add(
        'deliver',
        { deliveryId: id },
        { jobId: id, attempts: this.config.maxAttempts, backoffMs: this.config.backoffMs },
      );
    }
  }

  private async onLifecycle(e: StreamLifecycleEvent): Promise<void> {
    const event: WebhookEvent | null =
      e.status === 'live' ? 'stream.started' : e.status === 'ended' ? 'stream.ended' : null;
    if (!event || !e.merchantId) return;
    try {
      const ids = await this.repo.addStreamEvent([e.merchantId], event, `${event}:${e.streamId}`, {
        stream: { id: e.streamId, status: e.status, ownerId: e.ownerId, merchantId: e.merchantId },
      });
      await this.enqueue(ids);
    } catch (err) {
      this.logger.warn(`stream webhook ${event} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async requeueStale(): Promise<void> {
    try {
      await this.enqueue(await this.repo.stale(STALE_MS, 500));
    } catch (err) {
      this.logger.warn(`webhook sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * One attempt (the queue's job). Throws to ask the queue for a retry (it
   * waits WEBHOOK_BACKOFF_MS, doubling); the last attempt marks it failed.
   */
  async attempt(deliveryId: string, attemptsMade: number): Promise<void> {
    const d = await this.repo.delivery(deliveryId);
    if (!d || d.status !== 'pending') return;
    const body = JSON.stringify(d.payload);
    const r = await sendWebhook(d.url, d.secret, body, { event: d.event, deliveryId: d.id }, this.config);
    const final = !r.ok && attemptsMade + 1 >= this.config.maxAttempts;
    await this.repo.recordAttempt(d.id, { ok: r.ok, final, statusCode: r.statusCode, error: r.error });
    if (!r.ok && !final) throw new Error(`delivery ${d.id}: ${r.error ?? 'failed'}`);
  }
}
