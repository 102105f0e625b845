import { ApiError, humanizeMessage } from './errors';

describe('errors people read', () => {
  it('speaks labels where the server message starts with a field name', () => {
    expect(humanizeMessage('validation_failed', 'salePriceCents must not be negative')).toBe(
      'Sale price must not be negative',
    );
    expect(humanizeMessage('validation_failed', 'priceCents must be an integer number of minor units')).toBe(
      "Price must be a whole number of the currency's smallest unit",
    );
    expect(
      humanizeMessage('validation_failed', 'perBuyerLimit must be at least 1; stock must not be negative'),
    ).toBe('Limit per buyer must be at least 1; Stock must not be negative');
    expect(humanizeMessage('validation_failed', 'admin: unknown field')).toBe('admin: unknown field');
    expect(humanizeMessage('validation_failed', 'sku: unknown field')).toBe('SKU is not accepted here.');
  });

  it('keeps a message that is already a sentence, and replaces codes meant for developers', () => {
    expect(humanizeMessage('sold_out', 'Flash sale sold out: "Lamp"')).toBe('Flash sale sold out: "Lamp"');
    expect(humanizeMessage('idempotency_key_required', 'Idempotency-Key header is required')).toBe(
      'Something went wrong placing the order. Please try again.',
    );
  });

  it('reads the error body, or says what happened when there is none', () => {
    const e = ApiError.fromBody(409, { error: { code: 'out_of_stock', message: 'Out of stock: "Lamp"' } });
    expect([e.status, e.code, e.message]).toEqual([409, 'out_of_stock', 'Out of stock: "Lamp"']);
    const html = ApiError.fromBody(502, null);
    expect([html.code, html.message]).toEqual(['http_502', 'The server answered 502. Please try again.']);
  });
});
