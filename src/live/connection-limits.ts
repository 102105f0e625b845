import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, LiveConfig } from '../config/config';
import { clientIp, proxyTrust, type ProxyTrust } from '../common/http/trusted-proxies';

/** What a refused connection's `connect_error` carries in `data`. */
export interface ConnectionRefusal {
  code: 'too_many_connections';
  limit: number;
}

/**
 * The client's address as the HTTP side sees it: the socket's peer, or,
 * when that is one of TRUSTED_PROXIES, the client it forwarded for.
 */
export function clientAddress(handshake: Socket['handshake'], trust: ProxyTrust): string {
  return clientIp(handshake.address, handshake.headers['x-forwarded-for'], trust);
}

/**
 * Keeps one address from inflating a room: at most LIVE_MAX_CONNECTIONS_PER_IP
 * concurrent `/live` connections (more are refused at connect time), and at
 * most LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP anonymous viewers (device ids, or
 * sockets without one) counted per stream; further anonymous viewers from that
 * address still watch, but all count as one. Per replica, in memory (a load
 * balancer that keeps an address on one replica makes them global).
 */
@Injectable()
export class ConnectionLimits {
  /** address → open connections. */
  private readonly connections = new Map<string, number>();
  /** `streamId address` → anonymous viewer key → sockets using it. */
  private readonly anonymous = new Map<string, Map<string, number>>();

  private readonly config: LiveConfig;
  private readonly trust: ProxyTrust;

  constructor(@Inject(APP_CONFIG) app: AppConfig) {
    this.config = app.live;
    this.trust = proxyTrust(app.http.trustedProxies);
  }

  /** The client address of a socket (behind TRUSTED_PROXIES). */
  addressOf(socket: Socket): string {
    return clientAddress(socket.handshake, this.trust);
  }

  /** Namespace middleware: counts the connection, or refuses it with a clear connect_error. */
  middleware() {
    return (socket: Socket, next: (err?: Error) => void): void => {
      const max = this.config.maxConnectionsPerIp;
      if (max === 0) return next();
      const ip = this.addressOf(socket);
      const open = this.connections.get(ip) ?? 0;
      if (open >= max) {
        const err = new Error(
          `too_many_connections: at most ${max} live connections from one address; close another tab or try again later`,
        ) as Error & { data: ConnectionRefusal };
        err.data = { code: 'too_many_connections', limit: max };
        return next(err);
      }
      this.connections.set(ip, open + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const n = (this.connections.get(ip) ?? 1) - 1;
        if (n > 0) this.connections.set(ip, n);
        else this.connections.delete(ip);
      };
      // Whichever comes first: the namespace socket goes, or the whole connection closes
      // (which also covers a client gone between this check and the connect).
      socket.once('disconnect', release);
      socket.conn.once('close', release);
      if (socket.conn.readyState !== 'open') release();
      next();
    };
  }

  /** Connections open from an address on this replica. */
  connectionsFrom(ip: string): number {
    return this.connections.get(ip) ?? 0;
  }

  /**
   * The viewer key an anonymous socket counts under in a stream: its own key
   * while the address has fewer than the limit of distinct anonymous viewers
   * there, else the address's shared overflow key `a:<address>`.
   * Pair every call with `releaseAnonymous(streamId, ip, returnedKey)`.
   */
  anonymousKey(streamId: string, ip: string, key: string): string {
    const max = this.config.maxAnonymousViewersPerIp;
    if (max === 0) return key;
    const slot = `${streamId} ${ip}`;
    let keys = this.anonymous.get(slot);
    if (!keys) {
      keys = new Map();
      this.anonymous.set(slot, keys);
    }
    const n = keys.get(key);
    if (n === undefined && keys.size >= max) return `a:${ip}`;
    keys.set(key, (n ?? 0) + 1);
    return key;
  }

  releaseAnonymous(streamId: string, ip: string, key: string): void {
    const slot = `${streamId} ${ip}`;
    const keys = this.anonymous.get(slot);
    const n = keys?.get(key);
    if (!keys || n === undefined) return; // the overflow key is not tracked here
    if (n > 1) keys.set(key, n - 1);
    else {
      keys.delete(key);
      if (keys.size === 0) this.anonymous.delete(slot);
    }
  }
}
