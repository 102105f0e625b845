import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IngestService } from './ingest/ingest.service';
import { SfuHost } from './ingest/sfu.provider';
import { WhepController } from './ingest/whep.controller';
import { WhipController } from './ingest/whip.controller';
import { StreamEntity } from './stream.entity';
import { StreamsController } from './streams.controller';
import { StreamsRepository } from './streams.repository';
import { StreamsService } from './streams.service';

@Module({
  imports: [TypeOrmModule.forFeature([StreamEntity])],
  controllers: [StreamsController, WhipController, WhepController],
  providers: [StreamsRepository, StreamsService, SfuHost, IngestService],
  exports: [StreamsService, StreamsRepository, SfuHost, IngestService],
})
export class StreamsModule {}
