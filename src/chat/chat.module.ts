import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamsModule } from '../streams/streams.module';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatSanctionEntity } from './chat-sanction.entity';
import { ChatSettingsEntity } from './chat-settings.entity';
import { ChatController } from './chat.controller';
import { ChatRepository } from './chat.repository';
import { ChatService } from './chat.service';
import { ModerationRepository } from './moderation.repository';
import { ModerationService } from './moderation.service';

/** Chat lines, history and moderation. The live room (LiveModule) carries them over sockets. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ChatMessageEntity, ChatSanctionEntity, ChatSettingsEntity]),
    StreamsModule,
  ],
  controllers: [ChatController],
  providers: [ChatRepository, ModerationRepository, ChatService, ModerationService],
  exports: [ChatService, ModerationService],
})
export class ChatModule {}
