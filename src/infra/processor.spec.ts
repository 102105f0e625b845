import 'reflect-metadata';
import { ProcessorRegistry, QueueProcessor } from './processor';

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

  it('refuses two processors for one queue', () => {
    expect(() =>
      ProcessorRegistry.collect([
        { instance: new OrdersProcessor(), metatype: OrdersProcessor },
        { instance: new OtherOrdersProcessor(), metatype: OtherOrdersProcessor },
      ]),
    ).toThrow('Queue "orders" has two processors: OrdersProcessor and OtherOrdersProcessor');
  });
});
