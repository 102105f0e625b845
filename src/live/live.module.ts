import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChatModule } from '../chat/chat.module';
import { StreamsModule } from '../streams/streams.module';
import { ConnectionLimits } from './connection-limits';
import { LiveGateway } from './live.gateway';
import { LiveSessions } from './live-sessions';
import { RoomService } from './room.service';
import { StreamStatsEntity } from './stream-stats.entity';
import { StreamStatsRepository } from './stream-stats.repository';

/** The live room over socket.io (`/live`): presence, reactions and the room-channel relay. */
@Module({
  imports: [TypeOrmModule.forFeature([StreamStatsEntity]), ChatModule, StreamsModule],
  providers: [StreamStatsRepository, ConnectionLimits, LiveSessions, RoomService, LiveGateway],
  exports: [StreamStatsRepository],
})
export class LiveModule {}
