import { Module } from '@nestjs/common';
import { StreamsModule } from '../streams/streams.module';
import { EmbedController } from './embed.controller';
import { WebController } from './web.controller';

@Module({ imports: [StreamsModule], controllers: [WebController, EmbedController] })
export class WebModule {}
