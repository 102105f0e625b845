import { Inject, Injectable, Logger, OnApplicationBootstrap, SetMetadata } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import type { Job, QueueFactory } from './queue';

export const QUEUE_PROCESSOR = 'livecart:queue-processor';

export interface ProcessorOptions {
  queue: string;
  /**
   * Jobs of this queue one process runs at once (default 1): a number, or
   * read from the config tree when the processors start, e.g.
   * `(c) => c.hls.concurrency`. Decorators run when their file is loaded,
   * before any config exists, so a configured value cannot be read there.
   */
  concurrency?: number | ((config: AppConfig) => number);
}

/** A class that handles the jobs of one queue; it lives in its feature's folder. */
export interface JobProcessor<T = unknown> {
  process(job: Job<T>): Promise<void>;
}

/** Marks a provider as the one processor of `queue`. */
export const QueueProcessor = (queue: string, opts: Omit<ProcessorOptions, 'queue'> = {}) =>
  SetMetadata(QUEUE_PROCESSOR, { queue, ...opts } satisfies ProcessorOptions);

export const QUEUES_TOKEN = Symbol.for('livecart:QUEUES');

/**
 * Starts every @QueueProcessor when this process runs workers (the embedded
 * default, or `npm run start:worker`). Boot fails if a queue has two
 * processors: a job must have exactly one meaning.
 */
@Injectable()
export class ProcessorRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger('Workers');

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(QUEUES_TOKEN) private readonly queues: QueueFactory,
  ) {}

  static collect(
    instances: { instance: unknown; metatype: unknown }[],
  ): { options: ProcessorOptions; processor: JobProcessor }[] {
    const found: { options: ProcessorOptions; processor: JobProcessor }[] = [];
    const seen = new Map<string, string>();
    for (const { instance, metatype } of instances) {
      if (!instance || typeof metatype !== 'function') continue;
      const options = Reflect.getMetadata(QUEUE_PROCESSOR, metatype) as ProcessorOptions | undefined;
      if (!options) continue;
      const name = (metatype as { name: string }).name;
      const prior = seen.get(options.queue);
      if (prior) throw new Error(`Queue "${options.queue}" has two processors: ${prior} and ${name}`);
      seen.set(options.queue, name);
      found.push({ options, processor: instance as JobProcessor });
    }
    return found;
  }

  static concurrency(options: ProcessorOptions, config: AppConfig): number {
    const c = options.concurrency ?? 1;
    return typeof c === 'function' ? c(config) : c;
  }

  async onApplicationBootstrap(): Promise<void> {
    const processors = ProcessorRegistry.collect(this.discovery.getProviders());
    if (!this.config.runWorkersInProcess) return;
    for (const { options, processor } of processors) {
      const concurrency = ProcessorRegistry.concurrency(options, this.config);
      await this.queues.get(options.queue).process((job) => processor.process(job), { concurrency });
      this.logger.log(`processing queue ${options.queue} (concurrency ${concurrency})`);
    }
  }
}
