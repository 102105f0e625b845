import 'reflect-metadata';
import type { AppConfig } from '../config/config';
import { ProcessorRegistry, QueueProcessor, type ProcessorOptions } from './processor';

describe('ProcessorRegistry.collect', () => {
  @QueueProcessor('orders', { concurrency: 4 })
  class OrdersProcessor {
    async process(): Promise<void> {}
  }
  @QueueProcessor('orders')
  class OtherOrdersProcessor {
    async process(): Promise<void> {}
  }
  class NotAProcessor {}

  it('finds the processors among providers', () => {
    const found = ProcessorRegistry.collect([
      { instance: new OrdersProcessor(), metatype: OrdersProcessor },
      { instance: new NotAProcessor(), metatype: NotAProcessor },
    ]);
    expect(found).toHaveLength(1);
    expect(found[0].options).toEqual({ queue: 'orders', concurrency: 4 });
  });

  it('reads a concurrency from the config tree when the processors start', () => {
    @QueueProcessor('hls', { concurrency: (c) => c.hls.concurrency })
    class HlsLikeProcessor {
      async process(): Promise<void> {}
    }
    const [{ options }] = ProcessorRegistry.collect([
      { instance: new HlsLikeProcessor(), metatype: HlsLikeProcessor },
    ]);
    const config = { hls: { concurrency: 3 } } as AppConfig;
    expect(ProcessorRegistry.concurrency(options, config)).toBe(3);
    expect(ProcessorRegistry.concurrency({ queue: 'orders', concurrency: 4 }, config)).toBe(4);
    expect(ProcessorRegistry.concurrency({ queue: 'orders' } satisfies ProcessorOptions, config)).toBe(1);
  });

  it('refuses two processors for one queue', () => {
    expect(() =>
      ProcessorRegistry.collect([
        { instance: new OrdersProcessor(), metatype: OrdersProcessor },
        { instance: new OtherOrdersProcessor(), metatype: OtherOrdersProcessor },
      ]),
    ).toThrow('Queue "orders" has two processors: OrdersProcessor and OtherOrdersProcessor');
  });
});
