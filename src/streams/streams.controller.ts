import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Answers, Endpoint } from '../common/http/answers';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { UnauthorizedError } from '../common/errors/domain-errors';
import {
  CreateStreamDto,
  ListStreamsQueryDto,
  StreamDto,
  StreamOwnerDto,
  StreamPageDto,
  StreamWithKeyDto,
  UpdateStreamDto,
} from './dto/stream.dto';
import { StreamsService } from './streams.service';

@ApiTags('streams')
@Controller('api/streams')
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  @Roles('streamer')
  @Post()
  @ApiBearerAuth()
  @Endpoint('Create a stream; the response carries its secret stream key, shown once', {
    201: StreamWithKeyDto,
  })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateStreamDto): Promise<StreamWithKeyDto> {
    return this.streams.create(user, dto);
  }

  @Public()
  @Get()
  @Answers({ 200: StreamPageDto })
  list(@Query() q: ListStreamsQueryDto, @CurrentUser() user?: AuthUser): Promise<StreamPageDto> {
    if (q.mine) {
      if (!user) throw new UnauthorizedError('mine=1 needs a signed-in user');
      return this.streams.list({ ...q, ownerId: user.id });
    }
    return this.streams.list(q);
  }

  @Public()
  @Get(':id')
  @Endpoint(
    "One stream; its owner (or an admin) also gets the RTMP/SRT URLs and the encoder's ingest status, never the key",
    { 200: [StreamOwnerDto, 'StreamDto, with the owner fields for its owner'], 404: null },
  )
  get(@UuidParam() id: string, @CurrentUser() user?: AuthUser): Promise<StreamDto | StreamOwnerDto> {
    return this.streams.get(id, user);
  }

  @Roles('streamer')
  @Patch(':id')
  @ApiBearerAuth()
  @Endpoint('Rename a stream, or attach, change or (null) detach its shop before it goes live (owner)', {
    200: StreamDto,
    403: 'Not your stream, or a shop that has not invited you',
    409: 'The shop of a stream that went live cannot change; ended',
  })
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: UpdateStreamDto,
  ): Promise<StreamDto> {
    return this.streams.update(user, id, dto);
  }

  @Roles('streamer')
  @Post(':id/end')
  @HttpCode(200)
  @ApiBearerAuth()
  @Endpoint('End the stream (owner)', { 200: StreamDto })
  end(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<StreamDto> {
    return this.streams.end(user, id);
  }

  @Roles('streamer')
  @Post(':id/key')
  @HttpCode(200)
  @ApiBearerAuth()
  @Endpoint('Replace the stream key (owner); the old key stops working', { 200: StreamWithKeyDto })
  rotateKey(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<StreamWithKeyDto> {
    return this.streams.rotateKey(user, id);
  }
}
