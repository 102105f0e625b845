import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { LocalPubSub, PubSub, RedisPubSub } from '../../src/infra/pubsub';
import { BullQueueFactory, Job, LocalQueueFactory, QueueFactory } from '../../src/infra/queue';
import { LocalStateStore, RedisStateStore, StateStore } from '../../src/infra/state-store';
import { TEST_REDIS_URL } from '../support/env';
import { deleteRedisPrefix } from '../support/test-app';

/**
 * One contract, two implementations: everything a feature may rely on is
 * checked against the in-process store and against real Redis alike.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Impl {
  name: string;
  make(): Promise<{
    state: StateStore;
    pubsub: PubSub;
    pubsub2: PubSub;
    queues: QueueFactory;
    close(): Promise<void>;
  }>;
}

const impls: Impl[] = [
  {
    name: 'in-process',
    async make() {
      const pubsub = new LocalPubSub();
      const queues = new LocalQueueFactory();
      const state = new LocalStateStore();
      return {
        state,
        pubsub,
        pubsub2: pubsub,
        queues,
        close: async () => {
          await queues.close();
          await state.close();
          await pubsub.close();
        },
      };
    },
  },
  {
    name: 'redis',
    async make() {
      const prefix = `lct${randomBytes(4).toString('hex')}`;
      const a = new Redis(TEST_REDIS_URL);
      const b = new Redis(TEST_REDIS_URL);
      const pubsub = new RedisPubSub(a, a.duplicate(), `${prefix}:`);
      const pubsub2 = new RedisPubSub(b, b.duplicate(), `${prefix}:`);
      const queues = new BullQueueFactory(a, prefix);
      // As InfraModule makes it: its own auto-pipelined connection, and one for batches.
      const state = new RedisStateStore(a.duplicate({ enableAutoPipelining: true }), `${prefix}:state:`, {
        ownsConnection: true,
        bulk: a.duplicate(),
      });
      return {
        state,
        pubsub,
        pubsub2,
        queues,
        close: async () => {
          await queues.close();
          await pubsub.close();
          await pubsub2.close();
          await state.close();
          await deleteRedisPrefix(prefix);
          a.disconnect();
          b.disconnect();
        },
      };
    },
  },
];

describe.each(impls)('$name shared state', (impl) => {
  let env: Awaited<ReturnType<Impl['make']>>;
  beforeEach(async () => {
    env = await impl.make();
  });
  afterEach(() => env.close());

  it('stores, expires and deletes values', async () => {
    await env.state.set('a', '1');
    await env.state.set('b', '2', 50);
    expect(await env.state.get('a')).toBe('1');
    expect(await env.state.get('b')).toBe('2');
    await sleep(120);
    expect(await env.state.get('b')).toBeNull();
    await env.state.del('a');
    expect(await env.state.get('a')).toBeNull();
  });

  it('sets a value only once with setIfAbsent', async () => {
    expect(await env.state.setIfAbsent('lock', 'x', 1000)).toBe(true);
    expect(await env.state.setIfAbsent('lock', 'y', 1000)).toBe(false);
    expect(await env.state.get('lock')).toBe('x');
  });

  it('counts atomically under concurrency', async () => {
    await Promise.all(Array.from({ length: 100 }, () => env.state.incrBy('n', 1, 10_000)));
    expect(await env.state.incrBy('n', 0)).toBe(100);
    expect(await env.state.incrBy('n', -30)).toBe(70);
  });

  it('keeps sets of unique members', async () => {
    expect(await env.state.setAdd('viewers', 'u1')).toBe(true);
    expect(await env.state.setAdd('viewers', 'u1')).toBe(false);
    await env.state.setAdd('viewers', 'u2');
    expect(await env.state.setSize('viewers')).toBe(2);
    expect(await env.state.setRemove('viewers', 'u1')).toBe(true);
    expect(await env.state.setRemove('viewers', 'nobody')).toBe(false);
    expect(await env.state.setSize('viewers')).toBe(1);
  });

  it('rate-limits with a token bucket: a burst, then the refill rate', async () => {
    const results: number[] = [];
    for (let i = 0; i < 7; i++) results.push(await env.state.takeToken('chat:u1', 5, 1));
    expect(results.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(results[5]).toBeGreaterThan(0);
    expect(results[5]).toBeLessThanOrEqual(1000);
    await sleep(1100);
    expect(await env.state.takeToken('chat:u1', 5, 1)).toBe(0);
  });

  it('takes tokens of several buckets in one call, in order, sharing the buckets of single takes', async () => {
    expect(await env.state.takeToken('orders:a', 2, 1)).toBe(0);
    const waits = await env.state.takeTokens(['orders:a', 'orders:b', 'orders:a', 'orders:c'], 2, 1);
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(0); // a's third token in a burst of two
    expect(waits[2]).toBeLessThanOrEqual(1000);
    expect(waits[3]).toBe(0);
    expect(await env.state.takeTokens([], 2, 1)).toEqual([]);
    expect(await env.state.takeToken('orders:b', 2, 1)).toBe(0);
    expect(await env.state.takeToken('orders:b', 2, 1)).toBeGreaterThan(0);
  });

  it('delivers published messages to every subscriber, also across connections', async () => {
    const got1: unknown[] = [];
    const got2: unknown[] = [];
    const un1 = await env.pubsub.subscribe('room:1', (m) => got1.push(m));
    const un2 = await env.pubsub2.subscribe('room:1', (m) => got2.push(m));
    await env.pubsub.publish('room:1', { text: 'hi', n: 1 });
    await env.pubsub.publish('room:2', { text: 'elsewhere' });
    await sleep(100);
    expect(got1).toEqual([{ text: 'hi', n: 1 }]);
    expect(got2).toEqual([{ text: 'hi', n: 1 }]);
    await un1();
    await env.pubsub.publish('room:1', { text: 'again' });
    await sleep(100);
    expect(got1).toHaveLength(1);
    expect(got2).toHaveLength(2);
    await un2();
  });

  it('runs queued jobs, retrying failures with backoff', async () => {
    const q = env.queues.get<{ n: number }>(`test-${randomBytes(3).toString('hex')}`);
    const seen: { n: number; attempt: number }[] = [];
    await q.process(async (job: Job<{ n: number }>) => {
      seen.push({ n: job.data.n, attempt: job.attemptsMade });
      if (job.data.n === 2 && job.attemptsMade < 2) throw new Error('transient');
    });
    await q.add('work', { n: 1 });
    await q.add('work', { n: 2 }, { attempts: 3, backoffMs: 50 });
    for (let i = 0; i < 100 && seen.length < 4; i++) await sleep(50);
    expect(seen.filter((s) => s.n === 1)).toEqual([{ n: 1, attempt: 0 }]);
    expect(seen.filter((s) => s.n === 2)).toEqual([
      { n: 2, attempt: 0 },
      { n: 2, attempt: 1 },
      { n: 2, attempt: 2 },
    ]);
  });

  it('delays jobs, dedupes by id and can remove a delayed job', async () => {
    const q = env.queues.get<string>(`test-${randomBytes(3).toString('hex')}`);
    const seen: string[] = [];
    await q.process(async (job) => {
      seen.push(job.data);
    });
    const t0 = Date.now();
    await q.add('expire', 'a', { jobId: 'order-1', delayMs: 300 });
    await q.add('expire', 'a-again', { jobId: 'order-1', delayMs: 300 });
    await q.add('expire', 'b', { jobId: 'order-2', delayMs: 300 });
    await q.remove('order-2');
    for (let i = 0; i < 60 && seen.length < 1; i++) await sleep(50);
    await sleep(400);
    expect(seen).toEqual(['a']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });
});

describe('redis state store scripts', () => {
  it('runs its Lua by SHA and sends the script again after Redis forgot it (SCRIPT FLUSH)', async () => {
    const prefix = `lct${randomBytes(4).toString('hex')}`;
    const conn = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true });
    const bulk = new Redis(TEST_REDIS_URL);
    const state = new RedisStateStore(conn, `${prefix}:state:`, { ownsConnection: true, bulk });
    try {
      expect(await state.takeToken('k', 2, 1)).toBe(0);
      await conn.script('FLUSH');
      expect(await state.takeToken('k', 2, 1)).toBe(0);
      expect(await state.takeToken('k', 2, 1)).toBeGreaterThan(0);
      await conn.script('FLUSH');
      // Several keys go over the bulk connection, which also sends the script again.
      const bySha = jest.spyOn(bulk, 'evalsha');
      const inFull = jest.spyOn(bulk, 'eval');
      const waits = await state.takeTokens(['k', 'j', 'j'], 2, 1);
      expect(waits[0]).toBeGreaterThan(0);
      expect(waits.slice(1)).toEqual([0, 0]);
      expect([bySha.mock.calls.length, inFull.mock.calls.length]).toEqual([1, 1]);
      await conn.script('FLUSH');
      expect(await state.incrBy('n', 3, 60_000)).toBe(3);
      expect(await state.incrBy('n', 2)).toBe(5);
    } finally {
      await deleteRedisPrefix(prefix);
      await state.close();
    }
    // close() quit the connections it owns.
    for (const c of [conn, bulk]) {
      if (c.status !== 'end') await new Promise((resolve) => c.once('end', resolve));
      expect(c.status).toBe('end');
    }
  });
});
