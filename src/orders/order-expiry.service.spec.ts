import type { AppConfig } from '../config/config';
import type { JobOptions, JobQueue, QueueFactory } from '../infra/queue';
import type { CommerceSignals } from '../room/commerce-signals';
import { OrderExpiryService, type OrderExpiryJob } from './order-expiry.service';
import type { OrderMetrics } from './order-metrics';
import type { OrdersRepository, Released } from './orders.repository';

describe('OrderExpiryService', () => {
  let added: { data: OrderExpiryJob; opts?: JobOptions }[];
  let addFails: boolean;
  let releases: { ids: unknown; opts: unknown }[];
  let chunks: number[];
  let service: OrderExpiryService;

  beforeEach(() => {
    jest.useFakeTimers({
      now: new Date('2026-12-04T10:00:00.250Z'),
      doNotFake: ['setImmediate', 'nextTick'],
    });
    added = [];
    addFails = false;
    releases = [];
    chunks = [];
    const queue = {
      add: async (_name: string, data: OrderExpiryJob, opts?: JobOptions) => {
        if (addFails) throw new Error('redis down');
        added.push({ data, opts });
        return opts?.jobId ?? 'x';
      },
    } as unknown as JobQueue<OrderExpiryJob>;
    const orders = {
      release: async (ids: unknown, _from: string, _to: string, opts: unknown): Promise<Released[]> => {
        releases.push({ ids, opts });
        const n = chunks.shift() ?? 0;
        return Array.from({ length: n }, (_, i) => ({ id: `o${i}`, streamId: null, productIds: ['p'] }));
      },
    } as unknown as OrdersRepository;
    const counter = { inc: () => undefined };
    const metrics = { expired: counter, released: counter } as unknown as OrderMetrics;
    const notifier = { stockChanged: () => undefined } as unknown as CommerceSignals;
    const queues = { get: () => queue } as unknown as QueueFactory;
    const config = { orders: { sweepSeconds: 60 } } as unknown as AppConfig;
    service = new OrderExpiryService(orders, metrics, notifier, queues, config);
  });
  afterEach(() => jest.useRealTimers());

  const flush = () => new Promise((r) => setImmediate(r));

  it('queues one job per second of hold ends, however many batches end in it', async () => {
    const at = (iso: string) => new Date(iso);
    service.schedule(['a'], at('2026-12-04T10:10:00.100Z'));
    service.schedule(['b', 'c'], at('2026-12-04T10:10:00.900Z'));
    service.schedule(['d'], at('2026-12-04T10:10:01.000Z'));
    service.schedule(['e'], at('2026-12-04T10:10:01.001Z'));
    service.schedule([], at('2026-12-04T10:10:05.000Z'));
    await flush();
    const first = Date.parse('2026-12-04T10:10:01.000Z');
    const second = Date.parse('2026-12-04T10:10:02.000Z');
    expect(added).toEqual([
      {
        data: { dueBy: first },
        opts: { jobId: `exp-due-${first}`, delayMs: first - Date.now() + 500, attempts: 5, backoffMs: 1000 },
      },
      {
        data: { dueBy: second },
        opts: expect.objectContaining({ jobId: `exp-due-${second}`, delayMs: second - Date.now() + 500 }),
      },
    ]);
  });

  it('lets the next batch of a second queue its job when queueing failed', async () => {
    const end = new Date('2026-12-04T10:10:00.500Z');
    addFails = true;
    service.schedule(['a'], end);
    await flush();
    addFails = false;
    service.schedule(['b'], end);
    await flush();
    expect(added.map((a) => a.data)).toEqual([{ dueBy: Date.parse('2026-12-04T10:10:01.000Z') }]);
  });

  it('expires every due hold in chunks, and the orders a job of an earlier version names', async () => {
    chunks = [500, 500, 12];
    expect(await service.run({ dueBy: Date.now() })).toBe(1012);
    expect(releases).toHaveLength(3);
    expect(releases[0]).toEqual({ ids: 'all-due', opts: { skipLocked: true, limit: 500 } });

    releases = [];
    chunks = [2];
    expect(await service.run({ orderIds: ['x', 'y'] })).toBe(2);
    expect(releases).toEqual([{ ids: ['x', 'y'], opts: { due: true, skipLocked: true, limit: 2 } }]);
  });
});
