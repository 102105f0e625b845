import type { PinView } from '@shared/room/protocol';
import { boundQuantity, offerOf } from './offer';

const now = Date.parse('2026-11-22T10:00:00Z');
const pin = (p: Partial<PinView> = {}): PinView => ({
  pinId: 'pin',
  streamId: 's',
  productId: 'p',
  title: 'Lamp',
  imageUrl: null,
  currency: 'USD',
  priceCents: 2000,
  salePriceCents: null,
  remaining: 10,
  saleStock: null,
  perBuyerLimit: null,
  endsAt: null,
  pinnedAt: '2026-11-22T09:59:00Z',
  ...p,
});

describe('the offer a buyer sees for a pin', () => {
  it('sells at the sale price within the per-buyer limit while the sale runs', () => {
    const o = offerOf(pin({ salePriceCents: 1500, saleStock: 5, perBuyerLimit: 3, remaining: 5 }), now);
    expect(o).toEqual({ saleOn: true, unitCents: 1500, maxQuantity: 3, perBuyerLimit: 3 });
  });

  it('sells at the normal price, without the sale limit, once the sale time is over', () => {
    const endsAt = new Date(now - 1000).toISOString();
    expect(offerOf(pin({ salePriceCents: 1500, perBuyerLimit: 1, endsAt }), now)).toEqual({
      saleOn: false,
      unitCents: 2000,
      maxQuantity: 10,
      perBuyerLimit: null,
    });
    // The server already dropped the sale price; its sale stock says it was a sale.
    expect(offerOf(pin({ saleStock: 5, perBuyerLimit: 1 }), now).perBuyerLimit).toBeNull();
  });

  it('keeps a plain pin limit, and never offers more than the units left', () => {
    expect(offerOf(pin({ perBuyerLimit: 2 }), now).maxQuantity).toBe(2);
    expect(offerOf(pin({ remaining: 1 }), now).maxQuantity).toBe(1);
    expect(offerOf(pin({ remaining: 0 }), now).maxQuantity).toBe(0);
    expect(offerOf(pin({ remaining: 5000 }), now).maxQuantity).toBe(100);
  });

  it('bounds a typed quantity to 1..max', () => {
    expect(boundQuantity('9', 3)).toBe(3);
    expect(boundQuantity('2.7', 3)).toBe(2);
    expect(boundQuantity('0', 3)).toBe(1);
    expect(boundQuantity('', 3)).toBe(1);
    expect(boundQuantity('x', 3)).toBe(1);
  });
});
