import { Global, Module } from '@nestjs/common';
import { INGEST_STATUS_READER } from '../room/ingest-status';
import { StreamsModule } from '../streams/streams.module';
import { EncoderIngestService } from './encoder-ingest.service';
import { IngestStatusRepository } from './ingest-status.repository';

/**
 * RTMP and SRT ingest (docs/ingest.md). Global: it implements the kernel's
 * INGEST_STATUS_READER, which the streams feature reads for the owner's
 * stream view without importing this feature (ingest imports streams).
 */
@Global()
@Module({
  imports: [StreamsModule],
  providers: [
    IngestStatusRepository,
    EncoderIngestService,
    { provide: INGEST_STATUS_READER, useExisting: IngestStatusRepository },
  ],
  exports: [INGEST_STATUS_READER, EncoderIngestService],
})
export class IngestModule {}
