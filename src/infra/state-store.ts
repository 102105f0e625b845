import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * Shared live state: counters, presence sets and rate-limit buckets that all
 * app replicas must agree on. One node: a Map; many: Redis. Both pass the
 * same contract test (test/infra/state-store.e2e-spec.ts).
 */
export interface StateStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  incrBy(key: string, by: number, ttlMs?: number): Promise<number>;
  setAdd(key: string, member: string, ttlMs?: number): Promise<boolean>;
  setRemove(key: string, member: string): Promise<boolean>;
  setSize(key: string): Promise<number>;
  /**
   * Token bucket: `capacity` tokens, refilled at `refillPerSecond`. Takes one
   * token; returns 0 when allowed, else the milliseconds until one is free.
   */
  takeToken(key: string, capacity: number, refillPerSecond: number): Promise<number>;
  /**
   * `takeToken` for several buckets in one round trip, in order (a key given
   * twice takes two tokens). Returns one wait per key.
   */
  takeTokens(keys: string[], capacity: number, refillPerSecond: number): Promise<number[]>;
  close(): Promise<void>;
}

interface Entry {
  value: string | number | Set<string> | { tokens: number; at: number };
  expiresAt?: number;
}

export class LocalStateStore implements StateStore {
  private readonly map = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 30_000).unref();
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, e] of this.map) if (e.expiresAt !== undefined && e.expiresAt <= t) this.map.delete(k);
  }

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  private expiry(ttlMs?: number): number | undefined {
    return ttlMs === undefined ? undefined : this.now() + ttlMs;
  }

  async get(key: string): Promise<string | null> {
    const e = this.live(key);
    if (!e) return null;
    if (typeof e.value === 'string') return e.value;
    if (typeof e.value === 'number') return String(e.value);
    throw new Error(`WRONGTYPE ${key} is not a string`);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.map.set(key, { value, expiresAt: this.expiry(ttlMs) });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.map.set(key, { value, expiresAt: this.expiry(ttlMs) });
    return true;
  }

  async del(key: string): Promise<void> {
    this.map.delete(key);
  }

  async incrBy(key: string, by: number, ttlMs?: number): Promise<number> {
    const e = this.live(key);
    const current = e === undefined ? 0 : Number(e.value);
    if (!Number.isFinite(current)) throw new Error(`WRONGTYPE ${key} is not a number`);
    const next = current + by;
    // Like the Redis implementation, a TTL applies when the key is created.
    this.map.set(key, { value: next, expiresAt: e ? e.expiresAt : this.expiry(ttlMs) });
    return next;
  }

  private setOf(key: string, create: boolean, ttlMs?: number): Set<string> | undefined {
    const e = this.live(key);
    if (e) {
      if (!(e.value instanceof Set)) throw new Error(`WRONGTYPE ${key} is not a set`);
      if (ttlMs !== undefined) e.expiresAt = this.expiry(ttlMs);
      return e.value;
    }
    if (!create) return undefined;
    const s = new Set<string>();
    this.map.set(key, { value: s, expiresAt: this.expiry(ttlMs) });
    return s;
  }

  async setAdd(key: string, member: string, ttlMs?: number): Promise<boolean> {
    const s = this.setOf(key, true, ttlMs)!;
    const had = s.has(member);
    s.add(member);
    return !had;
  }

  async setRemove(key: string, member: string): Promise<boolean> {
    const s = this.setOf(key, false);
    if (!s) return false;
    const had = s.delete(member);
    if (s.size === 0) this.map.delete(key);
    return had;
  }

  async setSize(key: string): Promise<number> {
    return this.setOf(key, false)?.size ?? 0;
  }

  async takeToken(key: string, capacity: number, refillPerSecond: number): Promise<number> {
    const t = this.now();
    const e = this.live(key);
    let b = e?.value as { tokens: number; at: number } | undefined;
    if (!b || typeof b !== 'object' || b instanceof Set) b = { tokens: capacity, at: t };
    const tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * refillPerSecond);
    const ttl = Math.ceil((capacity / refillPerSecond) * 1000) + 1000;
    if (tokens >= 1) {
      this.map.set(key, { value: { tokens: tokens - 1, at: t }, expiresAt: t + ttl });
      return 0;
    }
    this.map.set(key, { value: { tokens, at: t }, expiresAt: t + ttl });
    return Math.ceil(((1 - tokens) / refillPerSecond) * 1000);
  }

  async takeTokens(keys: string[], capacity: number, refillPerSecond: number): Promise<number[]> {
    const waits: number[] = [];
    for (const key of keys) waits.push(await this.takeToken(key, capacity, refillPerSecond));
    return waits;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.map.clear();
  }
}

// Token buckets in one round trip, for every key given, in order; returns the waits. Time
// comes from the Redis server, so replicas agree.
const TAKE_TOKENS_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local ttl = math.ceil((cap / rate) * 1000) + 1000
local waits = {}
for i, key in ipairs(KEYS) do
  local b = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(b[1])
  local at = tonumber(b[2])
  if tokens == nil then tokens = cap; at = now end
  tokens = math.min(cap, tokens + ((now - at) / 1000) * rate)
  local wait = 0
  if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil(((1 - tokens) / rate) * 1000) end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', key, ttl)
  waits[i] = wait
end
return waits
`;

const INCR_TTL_LUA = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v
`;

/** A Lua script run by its SHA1 (EVALSHA), sent in full only when the server does not know it yet. */
class Script {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  run(redis: Redis, key: string, ...args: (string | number)[]): Promise<unknown> {
    return this.runKeys(redis, [key], ...args);
  }

  async runKeys(redis: Redis, keys: string[], ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

const TAKE_TOKENS = new Script(TAKE_TOKENS_LUA);
const INCR_TTL = new Script(INCR_TTL_LUA);

export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'livecart:state:',
    /**
     * ownsConnection: close() quits the connections (else their owner closes them).
     * bulk: a connection without auto-pipelining for takeTokens over several keys.
     */
    private readonly opts: { ownsConnection?: boolean; bulk?: Redis } = {},
  ) {}

  private k(key: string): string {
    return this.prefix + key;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.k(key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) await this.redis.set(this.k(key), value);
    else await this.redis.set(this.k(key), value, 'PX', ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.k(key), value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async del(key: string): Promise<void> {
    await this.redis.del(this.k(key));
  }

  async incrBy(key: string, by: number, ttlMs?: number): Promise<number> {
    return Number(await INCR_TTL.run(this.redis, this.k(key), by, ttlMs ?? 0));
  }

  async setAdd(key: string, member: string, ttlMs?: number): Promise<boolean> {
    const m = this.redis.multi().sadd(this.k(key), member);
    if (ttlMs !== undefined) m.pexpire(this.k(key), ttlMs);
    const res = await m.exec();
    return Number(res?.[0]?.[1]) === 1;
  }

  async setRemove(key: string, member: string): Promise<boolean> {
    return (await this.redis.srem(this.k(key), member)) === 1;
  }

  async setSize(key: string): Promise<number> {
    return this.redis.scard(this.k(key));
  }

  async takeToken(key: string, capacity: number, refillPerSecond: number): Promise<number> {
    const [wait] = await this.takeTokens([key], capacity, refillPerSecond);
    return wait;
  }

  async takeTokens(keys: string[], capacity: number, refillPerSecond: number): Promise<number[]> {
    if (keys.length === 0) return [];
    // A batch of keys is one command already, so it goes out on the bulk
    // connection at once: auto-pipelining holds a command until setImmediate,
    // after every other I/O callback of the loop turn. In a flash sale that wait
    // made the batch's rate-limit round trip longer than its database read, on
    // the reservation's critical path (docs/architecture.md, Commerce).
    const conn = keys.length > 1 && this.opts.bulk ? this.opts.bulk : this.redis;
    const waits = (await TAKE_TOKENS.runKeys(
      conn,
      keys.map((k) => this.k(k)),
      capacity,
      refillPerSecond,
    )) as number[];
    return waits.map(Number);
  }

  async close(): Promise<void> {
    if (!this.opts.ownsConnection) return;
    for (const conn of this.opts.bulk ? [this.redis, this.opts.bulk] : [this.redis]) {
      await conn.quit().catch(() => conn.disconnect());
    }
  }
}
