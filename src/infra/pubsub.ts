import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';

export type Unsubscribe = () => Promise<void>;

/** Fan-out of JSON messages between processes (one node: in memory; many: Redis). */
export interface PubSub {
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}

export class LocalPubSub implements PubSub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: unknown): Promise<void> {
    // Same semantics as Redis: delivery is asynchronous and the payload is a copy.
    const copy: unknown = JSON.parse(JSON.stringify(message ?? null));
    setImmediate(() => this.emitter.emit(channel, copy));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    this.emitter.on(channel, handler);
    return async () => {
      this.emitter.off(channel, handler);
    };
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

export class RedisPubSub implements PubSub {
  private readonly handlers = new Map<string, Set<(message: unknown) => void>>();

  /** `pub` is a shared command connection; `sub` is a dedicated connection in subscriber mode. */
  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix = 'livecart:',
  ) {
    this.sub.on('message', (ch: string, raw: string) => {
      const set = this.handlers.get(ch.slice(this.prefix.length));
      if (!set) return;
      let msg: unknown;
      try {
        msg = JSON.parse(raw);
      } catch {
        return;
      }
      for (const h of set) h(msg);
    });
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.pub.publish(this.prefix + channel, JSON.stringify(message ?? null));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await this.sub.subscribe(this.prefix + channel);
    }
    set.add(handler);
    return async () => {
      const s = this.handlers.get(channel);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) {
        this.handlers.delete(channel);
        await this.sub.unsubscribe(this.prefix + channel);
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.sub.disconnect();
  }
}
