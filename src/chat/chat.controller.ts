import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { ForbiddenError } from '../common/errors/domain-errors';
import { StreamsService } from '../streams/streams.service';
import { ChatService } from './chat.service';
import {
  ChatHistoryQueryDto,
  ChatPageDto,
  ChatSettingsDto,
  ModerationDto,
  ModerationResultDto,
} from './dto/chat.dto';
import { ModerationService } from './moderation.service';
import { AcceptsBody } from '../common/http/body-options';

@ApiTags('chat')
@Controller('api/streams/:id')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly moderation: ModerationService,
    private readonly streams: StreamsService,
  ) {}

  @Public()
  @Get('chat')
  @Endpoint('Chat history of a stream, newest page first; items oldest first', {
    200: ChatPageDto,
    404: null,
  })
  history(@UuidParam() id: string, @Query() q: ChatHistoryQueryDto): Promise<ChatPageDto> {
    return this.chat.history(id, q);
  }

  @Roles('streamer')
  @Post('moderation')
  @AcceptsBody({ limit: 64 * 1024 })
  @HttpCode(200)
  @ApiBearerAuth()
  @Endpoint('Moderate the chat (stream owner or admin): delete, mute, unmute, ban, unban, slow-mode, words', {
    200: ModerationResultDto,
    403: 'Not the owner of this stream',
  })
  moderate(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: ModerationDto,
  ): Promise<ModerationResultDto> {
    return this.moderation.moderate(user, id, dto);
  }

  @Roles('streamer')
  @Get('moderation')
  @ApiBearerAuth()
  @Endpoint("The chat's slow mode and word list (stream owner or admin)", { 200: ChatSettingsDto })
  async settings(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<ChatSettingsDto> {
    const s = await this.streams.mustFind(id);
    if (s.ownerId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError("Only the stream's owner or an admin can see its moderation settings");
    }
    return this.moderation.settings(id);
  }
}
