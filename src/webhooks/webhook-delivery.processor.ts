import { Injectable } from '@nestjs/common';
import { QueueProcessor, type JobProcessor } from '../infra/processor';
import type { Job } from '../infra/queue';
import { WEBHOOK_DELIVERY_QUEUE, type WebhookDeliveryJob } from './webhook-events';
import { WebhooksService } from './webhooks.service';

/**
 * Delivers one merchant webhook: a signed POST; a failure throws so the queue
 * retries it with exponential backoff, until WEBHOOK_MAX_ATTEMPTS.
 */
@Injectable()
@QueueProcessor(WEBHOOK_DELIVERY_QUEUE, { concurrency: 8 })
export class WebhookDeliveryProcessor implements JobProcessor<WebhookDeliveryJob> {
  constructor(private readonly webhooks: WebhooksService) {}

  async process(job: Job<WebhookDeliveryJob>): Promise<void> {
    await this.webhooks.attempt(job.data.deliveryId, job.attemptsMade);
  }
}
