import { Module } from '@nestjs/common';
import { StreamsModule } from '../streams/streams.module';
import { WebController } from './web.controller';

@Module({ imports: [StreamsModule], controllers: [WebController] })
export class WebModule {}
