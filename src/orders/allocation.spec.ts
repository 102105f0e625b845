import {
  allocate,
  publicBuyerName,
  type AllocationState,
  type LockedPin,
  type LockedProduct,
  type ReserveRequest,
} from './allocation';

const P = '00000000-0000-4000-8000-00000000000a';
const Q = '00000000-0000-4000-8000-00000000000b';
const S = '00000000-0000-4000-8000-0000000000s1';
const NOW = 1_700_000_000_000;

const product = (id: string, over: Partial<LockedProduct> = {}): LockedProduct => ({
  id,
  merchantId: 'm1',
  title: id,
  priceCents: 1,
  currency: 'USD',
  stock: 1,
  ...over,
});

/** A flash sale pinned on stream S for product P: 5 units at 500 for as long as the stream lasts. */
const salePin = (over: Partial<LockedPin> = {}): LockedPin => ({
  id: 'pin1',
  streamId: S,
  productId: P,
  salePriceCents: 500,
  saleRemaining: 5,
  endsAtMs: null,
  perBuyerLimit: null,
  ...over,
});

function state(over: Partial<AllocationState> = {}): AllocationState {
  return {
    nowMs: NOW,
    products: new Map([
      [P, product(P, { title: 'Phone', priceCents: 1000, stock: 10 })],
      [Q, product(Q, { title: 'Case', priceCents: 300, stock: 5 })],
    ]),
    streams: new Map([[S, { id: S, merchantId: 'm1', status: 'live', startedAtMs: NOW - 60_000 }]]),
    pinsByStream: new Map(),
    usage: new Map(),
    ...over,
  };
}

/** Order lines as [productId, quantity] pairs. */
const lines = (...l: [string, number][]): ReserveRequest['items'] =>
  l.map(([productId, quantity]) => ({ productId, quantity }));

const req = (items: ReserveRequest['items'], over: Partial<ReserveRequest> = {}): ReserveRequest => ({
  buyerId: 'b1',
  buyerName: 'Ada Lovelace',
  idempotencyKey: 'k',
  requestHash: 'h',
  streamId: null,
  items,
  ...over,
});

let n = 0;
const id = () => `o${++n}`;

describe('allocate', () => {
  it('prices lines at the product price and takes the units', () => {
    const s = state();
    const a = allocate(req(lines([P, 2], [Q, 1])), s, id);
    expect(a.ok && a.order).toMatchObject({
      totalCents: 2300,
      currency: 'USD',
      merchantId: 'm1',
      pinId: null,
    });
    expect(s.products.get(P)!.stock).toBe(8);
    expect(s.products.get(Q)!.stock).toBe(4);
  });

  it('takes nothing when any line is short', () => {
    const s = state();
    const a = allocate(req(lines([P, 1], [Q, 6])), s, id);
    expect(!a.ok && a.error.message).toBe('Only 5 of "Case" left');
    expect(s.products.get(P)!.stock).toBe(10);
  });

  it('sells a pinned sale from the sale stock at the sale price, inside the window only', () => {
    const pin = salePin({ saleRemaining: 1, endsAtMs: NOW + 1000 });
    const s = state({ pinsByStream: new Map([[S, pin]]) });
    const a = allocate(req(lines([P, 1]), { streamId: S }), s, id);
    expect(a.ok && a.order).toMatchObject({
      totalCents: 500,
      pinId: 'pin1',
      saleUnits: 1,
      pinUnits: 1,
      streamOffsetMs: 60_000,
    });
    expect(pin.saleRemaining).toBe(0);
    expect(s.products.get(P)!.stock).toBe(9);
    const sold = allocate(req(lines([P, 1]), { streamId: S, buyerId: 'b2' }), s, id);
    expect(!sold.ok && sold.error).toMatchObject({
      code: 'sold_out',
      message: 'Flash sale sold out: "Phone"',
    });

    const after = state({ nowMs: NOW + 1000, pinsByStream: new Map([[S, { ...pin, saleRemaining: 5 }]]) });
    const late = allocate(req(lines([P, 2]), { streamId: S }), after, id);
    expect(late.ok && late.order).toMatchObject({ totalCents: 2000, saleUnits: 0, pinUnits: 2 });
  });

  it('ends the sale with the stream', () => {
    const pin = salePin({ perBuyerLimit: 1 });
    const s = state({
      pinsByStream: new Map([[S, pin]]),
      streams: new Map([[S, { id: S, merchantId: 'm1', status: 'ended', startedAtMs: NOW - 1 }]]),
    });
    const a = allocate(req(lines([P, 3]), { streamId: S }), s, id);
    expect(a.ok && a.order.totalCents).toBe(3000);
  });

  it('enforces the per-buyer limit across orders of the same buyer', () => {
    const pin = salePin({ perBuyerLimit: 2 });
    const s = state({ pinsByStream: new Map([[S, pin]]), usage: new Map([['pin1|b1', 1]]) });
    expect(allocate(req(lines([P, 1]), { streamId: S }), s, id).ok).toBe(true);
    const third = allocate(req(lines([P, 1]), { streamId: S }), s, id);
    expect(!third.ok && third.error.code).toBe('buyer_limit');
    expect(allocate(req(lines([P, 2]), { streamId: S, buyerId: 'b2' }), s, id).ok).toBe(true);
  });

  it('refuses unknown products, mixed currencies and shops, and foreign products in a stream', () => {
    const s = state();
    s.products.set('eur', product('eur', { currency: 'EUR' }));
    s.products.set('m2', product('m2', { merchantId: 'm2' }));
    const code = (r: ReserveRequest) => {
      const a = allocate(r, s, id);
      return a.ok ? 'ok' : a.error.code;
    };
    expect(code(req(lines(['nope', 1])))).toBe('unknown_product');
    expect(code(req(lines([P, 1], ['eur', 1])))).toBe('mixed_currencies');
    expect(code(req(lines([P, 1], ['m2', 1])))).toBe('mixed_shops');
    expect(code(req(lines(['m2', 1]), { streamId: S }))).toBe('product_not_in_stream');
    expect(code(req(lines([P, 1]), { streamId: 'ghost' }))).toBe('unknown_stream');
    expect(s.products.get(P)!.stock).toBe(10);
  });
});

describe('publicBuyerName', () => {
  it('shows the first name only, or an initial, never an email', () => {
    expect(publicBuyerName('Grace Brewster Hopper')).toBe('Grace');
    expect(publicBuyerName('  Ada ')).toBe('Ada');
    expect(publicBuyerName('Wolfeschlegelsteinhausenbergerdorff Sr')).toBe('W.');
    expect(publicBuyerName('ada@example.com')).toBe('Someone');
    expect(publicBuyerName('')).toBe('Someone');
  });
});
