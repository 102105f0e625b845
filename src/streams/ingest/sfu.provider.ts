import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Sfu } from '../../../media';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { HealthRegistry } from '../../infra/health-registry';
import { MetricsService } from '../../metrics/metrics.service';

/**
 * Owns the process's SFU (mediasoup worker pool): starts it at boot, closes
 * it (and every worker process) at shutdown, and reports it to /health and
 * /metrics. `sfu` is undefined in processes that run no media (workers).
 */
@Injectable()
export class SfuHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SFU');
  sfu?: Sfu;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const m = this.config.media;
    if (!m.enabled) return;
    this.sfu = await Sfu.create({
      numWorkers: m.numWorkers,
      logLevel: m.workerLogLevel,
      listenIp: m.listenIp,
      announcedAddress: m.announcedIp,
      rtcPort: m.rtcPort,
      iceConsentTimeout: m.iceConsentTimeout,
      connectTimeout: m.connectTimeout,
      maxPending: { perStream: m.maxConnectingPerStream, perClient: m.maxConnectingPerAddress },
      keyFrameRequestDelay: m.keyFrameRequestDelay,
    });
    this.sfu.on('workerDied', (info) =>
      this.logger.error(
        `mediasoup worker ${info.pid} died (${info.error.message}); ${info.routers} stream(s) lost it; replaced`,
      ),
    );
    const sfu = this.sfu;
    this.health.register({
      check: async (indicator) => {
        const i = indicator.check('mediasoup');
        const workers = sfu.stats().workers;
        const alive = workers.filter((w) => w.alive).length;
        return alive > 0 ? i.up({ workers: alive }) : i.down({ workers: 0 });
      },
    });
    const registers = [this.metrics.registry];
    new Gauge({
      name: 'livecart_sfu_workers',
      help: 'Running mediasoup workers',
      registers,
      collect() {
        this.set(sfu.stats().workers.filter((w) => w.alive).length);
      },
    });
    new Gauge({
      name: 'livecart_sfu_rooms',
      help: 'Streams with a room on this SFU',
      registers,
      collect() {
        this.set(sfu.stats().rooms);
      },
    });
    new Gauge({
      name: 'livecart_sfu_viewers',
      help: 'WHEP viewer sessions on this SFU',
      registers,
      collect() {
        this.set(sfu.stats().viewers);
      },
    });
    const ports = this.sfu.workerPool.rtcPorts().map((p) => (p.udp === p.tcp ? p.udp : `${p.udp}/${p.tcp}`));
    this.logger.log(
      `SFU up: ${m.numWorkers} mediasoup worker(s), WebRTC on ${m.listenIp} port(s) ${ports.join(', ')} (UDP and TCP)`,
    );
  }

  onApplicationShutdown(): void {
    this.sfu?.close();
  }
}
