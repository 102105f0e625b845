import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { AuthUser } from '../common/auth/roles';
import { ValidationError } from '../common/errors/domain-errors';
import { mapError } from '../common/errors/error-body';
import { valueProblem } from '../common/http/input-bounds';
import type { LiveSessions } from './live-sessions';

/**
 * socket.io for the live room. With Redis, rooms span every app replica
 * through the socket.io Redis adapter; without it, one process serves all.
 */
export class LiveIoAdapter extends IoAdapter {
  private readonly pubClient?: Redis;
  private readonly subClient?: Redis;

  constructor(
    app: INestApplicationContext,
    redis: Redis | null,
    private readonly keyPrefix: string,
  ) {
    super(app);
    if (redis) {
      this.pubClient = redis.duplicate();
      this.subClient = redis.duplicate();
    }
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      cors: { origin: true },
      // A slow or hostile client must not make us buffer large frames: the biggest
      // client event (join with a token) is well under 8 KiB.
      maxHttpBufferSize: 16 * 1024,
      // (engine.io's default, stated because it matters:) without deflate a room broadcast
      // is encoded once into a ready websocket frame that every socket writes as is;
      // with it, each socket would compress its own copy.
      perMessageDeflate: false,
    }) as Server;
    if (this.pubClient && this.subClient) {
      server.adapter(createAdapter(this.pubClient, this.subClient, { key: `${this.keyPrefix}:io` }));
    }
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    this.pubClient?.disconnect();
    this.subClient?.disconnect();
  }
}

/**
 * Connect-time authentication for a namespace (apply in the gateway's
 * afterInit): a valid, current token from `auth.token` (or the `token` query
 * parameter) puts the user on `socket.data.user` (the gateway then attaches
 * the session, see LiveSessions); no token means an anonymous viewer; a bad,
 * expired or revoked token is refused with a clear error.
 */
export function socketAuth(sessions: LiveSessions) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    const raw =
      (socket.handshake.auth as { token?: unknown } | undefined)?.token ?? socket.handshake.query?.token;
    if (raw === undefined || raw === null || raw === '') return next();
    if (typeof raw !== 'string') return next(new Error('unauthorized: token must be a string'));
    sessions.authenticate(raw).then(
      (user) => {
        (socket.data as { user?: AuthUser }).user = user;
        next();
      },
      () => next(new Error('unauthorized: invalid or expired token')),
    );
  };
}

/**
 * Packet middleware (`socket.use`): a client event whose payload is nested
 * deeper than MAX_JSON_DEPTH or carries a NUL character is answered through
 * its ack with `validation_failed` and goes no further, before the gateway's
 * pipes (class-transformer, class-validator) walk it recursively.
 */
export function boundedPayloads(packet: unknown[], next: (err?: Error) => void): void {
  const args = packet.slice(1);
  const ack = args.at(-1);
  const problem = valueProblem(typeof ack === 'function' ? args.slice(0, -1) : args);
  if (!problem) return next();
  if (typeof ack === 'function')
    (ack as (body: unknown) => void)(mapError(new ValidationError(problem.message)).body);
}
