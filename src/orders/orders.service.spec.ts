import { decideBatch, type ReserveRequest } from './allocation';
import { requestHash } from './orders.service';

const P = '00000000-0000-4000-8000-00000000000a';
const snap = (
  stock: number,
  existing: { id: string; buyerId: string; idempotencyKey: string; requestHash: string }[] = [],
) => ({
  nowMs: 1,
  streams: [],
  pins: [],
  products: [{ id: P, merchantId: 'm', title: 'T', priceCents: 10, currency: 'USD', stock }],
  existing,
  usage: [],
});
const r = (buyerId: string, key: string, quantity = 1): ReserveRequest => ({
  buyerId,
  buyerName: 'B',
  idempotencyKey: key,
  requestHash: requestHash(null, [{ productId: P, quantity }]),
  streamId: null,
  items: [{ productId: P, quantity }],
});

describe('decideBatch', () => {
  it('allocates in arrival order until the stock runs out', () => {
    const { orders, state } = decideBatch([r('a', '1'), r('b', '1'), r('c', '1')], snap(2));
    expect(orders.map((o) => o.buyerId)).toEqual(['a', 'b']);
    expect(state.decisions[2]).toMatchObject({ ok: false });
    expect(state.alloc.products.get(P)!.stock).toBe(0);
  });

  it('answers stored keys with their order and collapses twins in the batch', () => {
    const stored = { id: 'o1', buyerId: 'a', idempotencyKey: '1', requestHash: 'h' };
    const { orders, state } = decideBatch([r('a', '1'), r('b', '2'), r('b', '2')], snap(5, [stored]));
    expect(state.decisions[0]).toEqual({ ok: 'replay', orderId: 'o1', requestHash: 'h' });
    expect(state.decisions[2]).toEqual({ ok: 'twin', of: 1 });
    expect(orders).toHaveLength(1);
    expect(state.alloc.products.get(P)!.stock).toBe(4);
  });
});

describe('requestHash', () => {
  it('depends on the stream and on every line', () => {
    const a = { productId: 'a', quantity: 1 };
    const b = { productId: 'b', quantity: 2 };
    expect(requestHash(null, [a, b])).toBe(requestHash(null, [a, b]));
    expect(requestHash(null, [a, b])).not.toBe(requestHash('s', [a, b]));
    expect(requestHash(null, [a])).not.toBe(requestHash(null, [{ ...a, quantity: 2 }]));
  });
});
