import { Module } from '@nestjs/common';
import { LocalHlsStorage } from '../../media';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { StreamsModule } from '../streams/streams.module';
import { HLS_STORAGE } from './hls.constants';
import { HlsController } from './hls.controller';
import { HlsProcessor } from './hls.processor';
import { HlsService } from './hls.service';
import { HlsStatusRepository } from './hls-status.repository';
import { PlainRtpRelay } from './plain-rtp.relay';

/** LL-HLS: transcode jobs per live stream, delivery of playlists and media, progress and metrics. */
@Module({
  imports: [StreamsModule],
  controllers: [HlsController],
  providers: [
    {
      provide: HLS_STORAGE,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => new LocalHlsStorage(c.hls.dir),
    },
    HlsStatusRepository,
    HlsService,
    PlainRtpRelay,
    HlsProcessor,
  ],
})
export class HlsModule {}
