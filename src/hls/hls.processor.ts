import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import {
  finalizeHls,
  runTranscode,
  SfuPlainRtpSource,
  warmUpFfmpeg,
  type HlsStorage,
  type PlainRtpSource,
  type TranscodeProgress,
} from '../../media';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { PUBSUB } from '../infra/infra.module';
import { QueueProcessor, type JobProcessor } from '../infra/processor';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import type { Job } from '../infra/queue';
import { STREAM_LIFECYCLE_CHANNEL, type StreamLifecycleEvent } from '../room/channels';
import { SfuHost } from '../streams/ingest/sfu.provider';
import { StreamsService } from '../streams/streams.service';
import { HLS_QUEUE, HLS_STORAGE, type HlsJob } from './hls.constants';
import { HlsStatusRepository } from './hls-status.repository';
import { PlainRtpRelay } from './plain-rtp.relay';

const PROGRESS_EVERY_MS = 1000;

/**
 * The `hls` queue: one long job per live stream (`hls:<streamId>`) that runs
 * ffmpeg until the stream ends, and the hourly replay cleanup. A failed run
 * (ffmpeg died, stalled, lost its source) throws: BullMQ retries with
 * backoff and the next run continues the playlists after a discontinuity. A
 * SIGKILLed worker stops renewing the job's lock and another worker takes
 * it over (stalled-job recovery: lockDuration 10 s, stalledInterval 5 s).
 */
@Injectable()
@QueueProcessor(HLS_QUEUE, { concurrency: (c) => c.hls.concurrency })
export class HlsProcessor
  implements JobProcessor<HlsJob>, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('HLS');
  /** Running transcodes: `ended` stops ffmpeg cleanly, `cancel` abandons the run for a retry elsewhere. */
  private readonly running = new Map<string, { ended: AbortController; cancel: AbortController }>();
  private unsubscribe?: Unsubscribe;

  constructor(
    private readonly host: SfuHost,
    private readonly relay: PlainRtpRelay,
    private readonly streams: StreamsService,
    private readonly status: HlsStatusRepository,
    @Inject(HLS_STORAGE) private readonly storage: HlsStorage,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The first transcode then spawns ffmpeg without fluent-ffmpeg's capability check.
    if (this.config.runWorkersInProcess && this.config.hls.enabled) void warmUpFfmpeg();
    this.unsubscribe = await this.pubsub.subscribe(STREAM_LIFECYCLE_CHANNEL, (msg) => {
      const ev = msg as StreamLifecycleEvent;
      if (ev.status === 'ended') this.running.get(ev.streamId)?.ended.abort();
    });
  }

  /** A worker shutting down hands its transcodes back to the queue instead of ending the playlists. */
  beforeApplicationShutdown(): void {
    for (const r of this.running.values()) r.cancel.abort();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** In-process when this process's SFU holds the room (the embedded default), else across processes. */
  private sourceFor(streamId: string): PlainRtpSource {
    const sfu = this.host.sfu;
    if (sfu?.room(streamId)?.producers.length) return new SfuPlainRtpSource(sfu, this.config.media.listenIp);
    return this.relay;
  }

  async process(job: Job<HlsJob>): Promise<void> {
    if (job.data.kind === 'cleanup') return this.cleanup();
    await this.transcode(job, job.data.streamId);
  }

  private async transcode(job: Job<HlsJob>, streamId: string): Promise<void> {
    const ctl = { ended: new AbortController(), cancel: new AbortController() };
    this.running.set(streamId, ctl);
    try {
      // Registered first, so an "ended" event during this check is not lost.
      const stream = await this.streams.mustFind(streamId).catch(() => undefined);
      if (!stream || stream.status !== 'live') {
        await this.closePlaylists(streamId);
        await this.status.put({ streamId, state: 'ended' });
        return;
      }
      const h = this.config.hls;
      let last = 0;
      const run = () =>
        runTranscode({
          streamId,
          storage: this.storage,
          source: this.sourceFor(streamId),
          workDir: h.workDir,
          rtpHost: h.rtpHost,
          rtpPorts: { min: h.rtpMinPort, max: h.rtpMaxPort },
          ladder: h.ladder,
          copyH264: h.copyH264,
          preset: h.x264Preset,
          partSeconds: h.partMs / 1000,
          partsPerSegment: h.partsPerSegment,
          keyframeParts: h.keyframeParts,
          fps: h.fps,
          posterSeconds: h.posterSeconds,
          signal: ctl.ended.signal,
          cancel: ctl.cancel.signal,
          // An RTMP/SRT encoder that dropped may come back within the ingest grace: the next run waits.
          reconnectWaitMs: (this.config.ingest.reconnectGraceSeconds + 2) * 1000,
          log: (m) => this.logger.log(m),
          onProgress: (p) => {
            if (Date.now() - last < PROGRESS_EVERY_MS && p.state === 'live') return;
            last = Date.now();
            const view = { ...p, attempt: job.attemptsMade + 1 };
            void job.updateProgress(view).catch(() => undefined);
            void this.status.put({ streamId, ...p }).catch(() => undefined);
          },
        });
      const result = await this.untilEnded(streamId, ctl, run);
      if (!result) {
        await this.closePlaylists(streamId);
        await this.status.put({ streamId, state: 'ended' });
        return;
      }
      await this.status.put({ streamId, ...result, state: 'ended' });
      await this.streams.setReplayReady(streamId, true);
      this.logger.log(`stream ${streamId}: HLS ended after ${result.segments} segments`);
    } catch (e) {
      const message = (e as Error).message;
      this.logger.warn(`stream ${streamId}: HLS run failed (attempt ${job.attemptsMade + 1}): ${message}`);
      await this.status.put({ streamId, state: 'failed', error: message }).catch(() => undefined);
      throw e;
    } finally {
      if (this.running.get(streamId) === ctl) this.running.delete(streamId);
    }
  }

  /**
   * Runs the transcode until the stream ends. When a run loses its source
   * because the publisher is gone and the stream waits for it
   * (reconnecting), the job waits too, in place, and the next run continues
   * the same playlists after a discontinuity once the publisher is back (no
   * queue retry, whose backoff could outlast the grace). Undefined when the
   * stream ended while it waited.
   */
  private async untilEnded(
    streamId: string,
    ctl: { ended: AbortController; cancel: AbortController },
    run: () => Promise<TranscodeProgress>,
  ): Promise<TranscodeProgress | undefined> {
    for (;;) {
      try {
        return await run();
      } catch (e) {
        if (ctl.cancel.signal.aborted || !(await this.reconnecting(streamId))) throw e;
        this.logger.log(`stream ${streamId}: publisher lost; HLS waits for it`);
        const back = await this.waitForPublisher(streamId, ctl);
        if (back === 'ended') return undefined;
        if (back === 'cancelled') throw e;
        this.logger.log(`stream ${streamId}: publisher back; HLS goes on after a discontinuity`);
      }
    }
  }

  /** EXT-X-ENDLIST on whatever playlists the stream has; a replay when it had some. */
  private async closePlaylists(streamId: string): Promise<void> {
    if (await finalizeHls(this.storage, streamId)) await this.streams.setReplayReady(streamId, true);
  }

  private async reconnecting(streamId: string): Promise<boolean> {
    const s = await this.streams.mustFind(streamId).catch(() => undefined);
    return s?.status === 'live' && s.reconnectDeadline !== null;
  }

  /** Polls the stream until its publisher is back (a live stream with media on an SFU), it ends, or the run is given up. */
  private async waitForPublisher(
    streamId: string,
    ctl: { ended: AbortController; cancel: AbortController },
  ): Promise<'back' | 'ended' | 'cancelled'> {
    for (;;) {
      if (ctl.cancel.signal.aborted) return 'cancelled';
      if (ctl.ended.signal.aborted) return 'ended';
      const s = await this.streams.mustFind(streamId).catch(() => undefined);
      if (!s || s.status === 'ended') return 'ended';
      if (s.status === 'live' && !s.reconnectDeadline) return 'back';
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Ends the playlists of streams that ended without a clean stop, and deletes replays past retention. */
  private async cleanup(): Promise<void> {
    const days = this.config.hls.retentionDays;
    for (const { streamId, modifiedAt } of await this.storage.listStreams()) {
      const stream = await this.streams.mustFind(streamId).catch(() => undefined);
      if (stream?.status === 'live' || this.running.has(streamId)) continue;
      const old = days > 0 && Date.now() - modifiedAt.getTime() > days * 86_400_000;
      if (old) {
        await this.storage.removeStream(streamId);
        if (stream) await this.streams.setReplayReady(streamId, false);
        this.logger.log(`replay of stream ${streamId} deleted (older than ${days} days)`);
      } else if (stream?.status === 'ended') {
        // Also finds the replays of streams that ended before replays were recorded.
        const master = await this.storage.read(`${streamId}/master.m3u8`);
        if (master) await this.closePlaylists(streamId);
      }
    }
  }
}
