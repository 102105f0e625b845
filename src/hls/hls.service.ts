import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { PUBSUB, QUEUES } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import type { QueueFactory } from '../infra/queue';
import { MetricsService } from '../metrics/metrics.service';
import { STREAM_LIFECYCLE_CHANNEL, type StreamLifecycleEvent } from '../room/channels';
import { StreamsService } from '../streams/streams.service';
import { HLS_QUEUE, hlsJobId, type HlsJob, type HlsStatus } from './hls.constants';
import { HlsStatusRepository } from './hls-status.repository';

const CLEANUP_EVERY_MS = 3600_000;
/** Tries of a live transcode: 1 s, 2 s, 4 s, 8 s … between them, so a viewer recovers quickly. */
const TRANSCODE_ATTEMPTS = 8;

/**
 * Starts an HLS job when a stream goes live (the running job stops itself
 * when the stream ends: see HlsProcessor), schedules the replay cleanup, and
 * exports transcode progress to /metrics from the shared status store, so
 * any replica reports the transcodes of every worker.
 */
@Injectable()
export class HlsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HLS');
  private unsubscribe?: Unsubscribe;
  private cleanupTimer?: NodeJS.Timeout;

  constructor(
    private readonly streams: StreamsService,
    private readonly status: HlsStatusRepository,
    private readonly metrics: MetricsService,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(QUEUES) private readonly queues: QueueFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get queue() {
    return this.queues.get<HlsJob>(HLS_QUEUE);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.registerMetrics();
    if (!this.config.hls.enabled) return;
    this.unsubscribe = await this.pubsub.subscribe(STREAM_LIFECYCLE_CHANNEL, (msg) => {
      const ev = msg as StreamLifecycleEvent;
      if (ev.status === 'live') void this.start(ev.streamId);
    });
    const cleanup = () =>
      void this.queue
        .add(
          'cleanup',
          { kind: 'cleanup' },
          { jobId: `hls-cleanup-${Math.floor(Date.now() / CLEANUP_EVERY_MS)}`, attempts: 1 },
        )
        .catch((e: Error) => this.logger.warn(`could not schedule HLS cleanup: ${e.message}`));
    cleanup();
    this.cleanupTimer = setInterval(cleanup, CLEANUP_EVERY_MS);
    this.cleanupTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.cleanupTimer);
    await this.unsubscribe?.();
  }

  /** Enqueues the stream's transcode; a repeated "live" (publisher reconnect) finds the job and adds nothing. */
  async start(streamId: string): Promise<void> {
    try {
      const prior = await this.status.get(streamId);
      await this.queue.add(
        'transcode',
        { kind: 'transcode', streamId },
        { jobId: hlsJobId(streamId), attempts: TRANSCODE_ATTEMPTS, backoffMs: 1000 },
      );
      if (!prior || prior.state === 'ended' || prior.state === 'failed') {
        await this.status.put({ ...prior, streamId, state: 'queued', error: undefined });
      }
    } catch (e) {
      this.logger.error(`could not enqueue HLS for stream ${streamId}: ${(e as Error).message}`);
    }
  }

  async progress(streamId: string): Promise<HlsStatus | undefined> {
    return this.status.get(streamId);
  }

  private registerMetrics(): void {
    const registers = [this.metrics.registry];
    const live = async (): Promise<HlsStatus[]> => {
      const streams = await this.streams.liveStreams().catch(() => []);
      const all = await Promise.all(streams.map((s) => this.status.get(s.id).catch(() => undefined)));
      return all.filter((s): s is HlsStatus => s !== undefined);
    };
    new Gauge({
      name: 'livecart_hls_transcodes',
      help: 'Live streams by HLS transcode state',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const s of await live()) this.inc({ state: s.state });
      },
    });
    const perStream = (name: string, help: string, value: (s: HlsStatus) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['stream'],
        registers,
        async collect() {
          this.reset();
          for (const s of await live()) {
            const v = value(s);
            if (v !== undefined) this.set({ stream: s.streamId }, v);
          }
        },
      });
    perStream(
      'livecart_hls_segments',
      'HLS segments written for a live stream (top rendition)',
      (s) => s.segments,
    );
    perStream(
      'livecart_hls_encode_speed',
      'ffmpeg encode speed of a live stream (1 = real time)',
      (s) => s.speed,
    );
    perStream(
      'livecart_hls_lag_seconds',
      'Seconds the newest HLS part trails its capture',
      (s) => s.lagSeconds,
    );
  }
}
