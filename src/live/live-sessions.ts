import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { ACCESS_CHECK, type AccessCheck } from '../common/auth/access-check';
import type { VerifiedUser } from '../common/auth/roles';
import { TokenService } from '../common/auth/token.service';
import { UnauthorizedError } from '../common/errors/domain-errors';
import { SOCKET_EVENTS, type SocketEventPayloads } from '../room/protocol';

/** What a signed-in socket carries for its session. */
interface SessionData {
  user?: VerifiedUser;
  /** Ends the session when the token expires. */
  expiry?: NodeJS.Timeout;
  /** The disconnect listener is on (once per socket). */
  tracked?: boolean;
}

/**
 * The sign-ins of this replica's live sockets. A socket is signed in for as
 * long as its access token: when it expires without an `auth` renewal, or
 * when the user's tokens are revoked (on any replica: AccessCheck.onRevoked),
 * the socket is told `session:ended` and disconnected.
 */
@Injectable()
export class LiveSessions implements OnModuleInit {
  private readonly byUser = new Map<string, Set<Socket>>();

  constructor(
    private readonly tokens: TokenService,
    @Inject(ACCESS_CHECK) private readonly access: AccessCheck,
  ) {}

  onModuleInit(): void {
    this.access.onRevoked((userId, version) => {
      for (const socket of [...(this.byUser.get(userId) ?? [])]) {
        const user = (socket.data as SessionData).user;
        if (user && user.ver < version) this.end(socket, 'revoked');
      }
    });
  }

  /** A token's user, if the token verifies and still stands (user exists, version current). */
  async authenticate(token: unknown): Promise<VerifiedUser> {
    const user = this.tokens.verify(token);
    if (!(await this.access.isCurrent(user))) {
      throw new UnauthorizedError('This session has ended (signed out, roles changed or account gone)');
    }
    return user;
  }

  /** Makes `user` the socket's: until its token expires or is revoked. */
  attach(socket: Socket, user: VerifiedUser): void {
    const data = socket.data as SessionData;
    this.detach(socket);
    data.user = user;
    let sockets = this.byUser.get(user.id);
    if (!sockets) this.byUser.set(user.id, (sockets = new Set()));
    sockets.add(socket);
    data.expiry = setTimeout(() => this.end(socket, 'expired'), Math.max(0, user.exp * 1000 - Date.now()));
    data.expiry.unref();
    if (!data.tracked) {
      data.tracked = true;
      socket.once('disconnect', () => this.detach(socket));
    }
  }

  /** Sockets signed in on this replica (for tests and metrics). */
  socketsOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  private detach(socket: Socket): void {
    const data = socket.data as SessionData;
    clearTimeout(data.expiry);
    data.expiry = undefined;
    if (!data.user) return;
    const sockets = this.byUser.get(data.user.id);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byUser.delete(data.user.id);
  }

  private end(socket: Socket, reason: SocketEventPayloads['sessionEnded']['reason']): void {
    this.detach(socket);
    (socket.data as SessionData).user = undefined;
    if (!socket.connected) return;
    socket.emit(SOCKET_EVENTS.sessionEnded, { reason });
    socket.disconnect(true);
  }
}
