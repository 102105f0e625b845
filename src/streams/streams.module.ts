import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamEntity } from './stream.entity';
import { StreamsController } from './streams.controller';
import { StreamsRepository } from './streams.repository';
import { StreamsService } from './streams.service';

@Module({
  imports: [TypeOrmModule.forFeature([StreamEntity])],
  controllers: [StreamsController],
  providers: [StreamsRepository, StreamsService],
  exports: [StreamsService, StreamsRepository],
})
export class StreamsModule {}
