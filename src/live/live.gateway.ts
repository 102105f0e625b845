import { Logger, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { ChatService } from '../chat/chat.service';
import { AuthGuard } from '../common/auth/auth.guard';
import { CurrentUser, Public } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { ErrorFilter } from '../common/errors/error.filter';
import { validationPipe } from '../common/validation/validation-pipe';
import { UnauthorizedError } from '../common/errors/domain-errors';
import { AuthDto, ChatSendDto, JoinDto, ReactionDto } from './dto/live.dto';
import {
  CLIENT_EVENTS,
  LIVE_NAMESPACE,
  type AuthReply,
  type ChatSendReply,
  type RoomState,
} from '../room/protocol';
import { ConnectionLimits } from './connection-limits';
import { boundedPayloads, socketAuth } from './live-io.adapter';
import { LiveSessions } from './live-sessions';
import { RoomService, type LiveNamespace, type LiveSocket } from './room.service';

/**
 * The `/live` namespace. Nest applies global guards, pipes and filters to
 * HTTP only, so the gateway names its own: the same deny-by-default AuthGuard
 * (@Public() events may be anonymous), the same validation, and the same
 * error filter, which answers through the ack as `{ error: { code, message } }`.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
@UseGuards(AuthGuard)
@UsePipes(validationPipe())
@UseFilters(new ErrorFilter())
export class LiveGateway implements OnGatewayInit<LiveNamespace>, OnGatewayDisconnect<LiveSocket> {
  private readonly logger = new Logger('LiveGateway');

  constructor(
    private readonly rooms: RoomService,
    private readonly chat: ChatService,
    private readonly sessions: LiveSessions,
    private readonly limits: ConnectionLimits,
  ) {}

  afterInit(ns: LiveNamespace): void {
    ns.use(socketAuth(this.sessions));
    // Last: once it counts a connection, no other middleware refuses it.
    ns.use(this.limits.middleware());
    // Every event's payload is bounded before Nest's pipes walk it.
    ns.on('connection', (socket: LiveSocket) => {
      socket.use(boundedPayloads);
      // The sign-in of the handshake lasts as long as its token (LiveSessions).
      if (socket.data.user) this.sessions.attach(socket, socket.data.user);
    });
    // Nest does not await this hook: a failure is logged rather than left unhandled.
    this.rooms.attach(ns).catch((e: unknown) => {
      this.logger.error(`live room failed to start: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  handleDisconnect(socket: LiveSocket): void {
    this.rooms.disconnect(socket).catch((e: unknown) => {
      this.logger.warn(`disconnect: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  @Public()
  @SubscribeMessage(CLIENT_EVENTS.join)
  join(@ConnectedSocket() socket: LiveSocket, @MessageBody() dto: JoinDto): Promise<RoomState> {
    return this.rooms.join(socket, dto);
  }

  @Public()
  @SubscribeMessage(CLIENT_EVENTS.leave)
  async leave(@ConnectedSocket() socket: LiveSocket): Promise<{ ok: true }> {
    await this.rooms.leave(socket);
    return { ok: true };
  }

  @SubscribeMessage(CLIENT_EVENTS.chatSend)
  send(
    @ConnectedSocket() socket: LiveSocket,
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: ChatSendDto,
  ): Promise<ChatSendReply> {
    return this.chat.send(user, this.rooms.chatContext(socket), dto.text);
  }

  /**
   * Renews the socket's sign-in with a fresh access token (before the old one
   * expires), or signs an anonymous socket in. A signed-in socket cannot
   * become another user: it reconnects for that.
   */
  @Public()
  @SubscribeMessage(CLIENT_EVENTS.auth)
  async auth(@ConnectedSocket() socket: LiveSocket, @MessageBody() dto: AuthDto): Promise<AuthReply> {
    const user = await this.sessions.authenticate(dto.token);
    const current = socket.data.user;
    if (current && current.id !== user.id) {
      throw new UnauthorizedError('This socket is signed in as another user; reconnect to switch users');
    }
    this.sessions.attach(socket, user);
    return { ok: true, expiresAt: new Date(user.exp * 1000).toISOString() };
  }

  @Public()
  @SubscribeMessage(CLIENT_EVENTS.reactionSend)
  react(@ConnectedSocket() socket: LiveSocket, @MessageBody() dto: ReactionDto): { ok: true } {
    this.rooms.react(socket, dto.kind);
    return { ok: true };
  }
}
