import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { HealthRegistry } from './health-registry';
import { LocalPubSub, PubSub, RedisPubSub } from './pubsub';
import { ProcessorRegistry, QUEUES_TOKEN } from './processor';
import { BullQueueFactory, LocalQueueFactory, QueueFactory } from './queue';
import { LocalStateStore, RedisStateStore, StateStore } from './state-store';

export const REDIS = Symbol('REDIS');
export const PUBSUB = Symbol('PUBSUB');
export const STATE_STORE = Symbol('STATE_STORE');
export const QUEUES = QUEUES_TOKEN;

const logger = new Logger('Infra');

/**
 * Chooses the one-node or the many-node implementation of every shared piece,
 * once, from REDIS_URL. Features only ever see the interfaces.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    ProcessorRegistry,
    HealthRegistry,
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Redis | null => {
        if (!config.redisUrl) return null;
        const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableReadyCheck: true });
        redis.on('error', (err: Error) => logger.warn(`redis: ${err.message}`));
        return redis;
      },
    },
    {
      provide: PUBSUB,
      inject: [REDIS, APP_CONFIG],
      useFactory: (redis: Redis | null, c: AppConfig): PubSub =>
        redis ? new RedisPubSub(redis, redis.duplicate(), `${c.redisPrefix}:`) : new LocalPubSub(),
    },
    {
      provide: STATE_STORE,
      inject: [REDIS, APP_CONFIG],
      useFactory: (redis: Redis | null, c: AppConfig): StateStore => {
        if (!redis) return new LocalStateStore();
        // Its own connection with auto-pipelining: rate-limit buckets are taken on every
        // chat message, and the commands of one event-loop turn then share one write
        // instead of one syscall each. (Not on the shared connection: BullMQ's blocking
        // and multi-step commands do not pipeline that way.) Order batches take all of
        // their buyers' buckets in one command, sent at once on a second connection.
        const conn = redis.duplicate({ enableAutoPipelining: true });
        const bulk = redis.duplicate();
        conn.on('error', (err: Error) => logger.warn(`redis (state): ${err.message}`));
        bulk.on('error', (err: Error) => logger.warn(`redis (state, bulk): ${err.message}`));
        return new RedisStateStore(conn, `${c.redisPrefix}:state:`, { ownsConnection: true, bulk });
      },
    },
    {
      provide: QUEUES,
      inject: [REDIS, APP_CONFIG],
      useFactory: (redis: Redis | null, c: AppConfig): QueueFactory => {
        const onError = (err: unknown, job: { name: string; id: string }) =>
          logger.warn(
            `job ${job.name}#${job.id} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        return redis ? new BullQueueFactory(redis, c.redisPrefix, onError) : new LocalQueueFactory(onError);
      },
    },
  ],
  exports: [REDIS, PUBSUB, STATE_STORE, QUEUES, HealthRegistry],
})
export class InfraModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(STATE_STORE) private readonly state: StateStore,
    @Inject(QUEUES) private readonly queues: QueueFactory,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
    await this.pubsub.close();
    await this.state.close();
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
