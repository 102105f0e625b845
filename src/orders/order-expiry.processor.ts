import { Injectable } from '@nestjs/common';
import { QueueProcessor, type JobProcessor } from '../infra/processor';
import type { Job } from '../infra/queue';
import { ORDER_EXPIRY_QUEUE, OrderExpiryService, type OrderExpiryJob } from './order-expiry.service';

/**
 * Expires unpaid orders whose hold has ended: one job per second of hold ends
 * (or, for jobs queued by earlier versions, the orders it names). Runs in the
 * app (embedded default) or in `npm run start:worker` processes (with Redis);
 * a job that finds the orders paid or cancelled does nothing.
 */
@Injectable()
@QueueProcessor(ORDER_EXPIRY_QUEUE, { concurrency: 4 })
export class OrderExpiryProcessor implements JobProcessor<OrderExpiryJob> {
  constructor(private readonly expiry: OrderExpiryService) {}

  async process(job: Job<OrderExpiryJob>): Promise<void> {
    await this.expiry.run(job.data);
  }
}
