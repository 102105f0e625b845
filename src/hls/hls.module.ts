import { Module } from '@nestjs/common';
import { LocalHlsStorage, type HlsStorage } from '../../media';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { StreamsModule } from '../streams/streams.module';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub } from '../infra/pubsub';
import { AnnouncedHlsStorage, AnnouncedWrites } from './announced-storage';
import { BlockingReads } from './blocking-reads';
import { HLS_STORAGE } from './hls.constants';
import { HlsController } from './hls.controller';
import { HlsProcessor } from './hls.processor';
import { HlsService } from './hls.service';
import { HlsStatusRepository } from './hls-status.repository';
import { PlainRtpRelay } from './plain-rtp.relay';
import { PlaylistVersions } from './playlist-versions';

/** LL-HLS: transcode jobs per live stream, delivery of playlists and media, progress and metrics. */
@Module({
  imports: [StreamsModule],
  controllers: [HlsController],
  providers: [
    {
      provide: HLS_STORAGE,
      inject: [APP_CONFIG, PUBSUB],
      useFactory: (c: AppConfig, pubsub: PubSub) =>
        new AnnouncedHlsStorage(new LocalHlsStorage(c.hls.dir), pubsub),
    },
    {
      provide: BlockingReads,
      inject: [HLS_STORAGE, APP_CONFIG],
      useFactory: (storage: HlsStorage, c: AppConfig) =>
        new BlockingReads(storage, c.hls.maxBlockingPerClient),
    },
    {
      provide: PlaylistVersions,
      inject: [HLS_STORAGE],
      useFactory: (storage: HlsStorage) => new PlaylistVersions(storage),
    },
    {
      provide: AnnouncedWrites,
      inject: [PUBSUB, PlaylistVersions, BlockingReads],
      useFactory: (pubsub: PubSub, versions: PlaylistVersions, reads: BlockingReads) =>
        AnnouncedWrites.follow(pubsub, [versions, reads]),
    },
    HlsStatusRepository,
    HlsService,
    PlainRtpRelay,
    HlsProcessor,
  ],
})
export class HlsModule {}
