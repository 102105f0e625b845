import { ValidationError } from '../../common/errors/domain-errors';
import { compileBody } from '../../common/validation/json-schema';
import { CREATE_ORDER_SCHEMA, type CreateOrderBody } from './create-order.schema';

const P = '5b0f7f0e-1111-4222-8333-444455556667';
const S = '5b0f7f0e-1111-4222-8333-444455556666';
const parse = compileBody<CreateOrderBody>(CREATE_ORDER_SCHEMA);

/** The message and the fields named, or null when the body is accepted. */
function refusal(body: unknown): { message: string; fields: string[] } | null {
  try {
    parse(body);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const v = e as ValidationError;
    expect(v.code).toBe('validation_failed');
    const fields = (v.details!.fields as { field: string }[]).map((f) => f.field).sort();
    return { message: v.message, fields };
  }
}

describe('the order body schema', () => {
  it.each<[string, unknown]>([
    ['a plain order', { items: [{ productId: P, quantity: 1 }] }],
    ['a null streamId', { streamId: null, items: [{ productId: P, quantity: 1 }] }],
    [
      'an order from a stream, with ignored client prices',
      { streamId: S, items: [{ productId: P, quantity: 2, priceCents: 1 }], totalCents: 2, currency: 'X' },
    ],
    [
      'a line as an order returns it',
      {
        items: [
          {
            productId: P,
            quantity: 1,
            title: 'Phone',
            unitPriceCents: 1,
            salePriceCents: 1,
            lineTotalCents: 1,
            currency: 'EUR',
            sale: true,
          },
        ],
      },
    ],
    ['20 lines', { items: Array.from({ length: 20 }, () => ({ productId: P, quantity: 100 })) }],
  ])('accepts %s as sent', (_name, body) => {
    expect(refusal(body)).toBeNull();
    expect(parse(body)).toBe(body);
  });

  it.each<[string, unknown, string, string[]]>([
    [
      'a zero quantity',
      { items: [{ productId: P, quantity: 0 }] },
      'The quantity must be at least 1.',
      ['items.0.quantity'],
    ],
    [
      'a huge quantity',
      { items: [{ productId: P, quantity: 1e12 }] },
      'The quantity must be at most 100.',
      ['items.0.quantity'],
    ],
    [
      'a fractional quantity',
      { items: [{ productId: P, quantity: 1.5 }] },
      'The quantity must be a whole number.',
      ['items.0.quantity'],
    ],
    [
      'a string quantity',
      { items: [{ productId: P, quantity: '2' }] },
      'The quantity must be a whole number.',
      ['items.0.quantity'],
    ],
    ['a missing quantity', { items: [{ productId: P }] }, 'Enter the quantity.', ['items.0.quantity']],
    [
      'a bad productId',
      { items: [{ productId: 'x', quantity: 1 }] },
      'That is not a valid product id.',
      ['items.0.productId'],
    ],
    [
      'a URN productId',
      { items: [{ productId: `urn:uuid:${P}`, quantity: 1 }] },
      'That is not a valid product id.',
      ['items.0.productId'],
    ],
    [
      'a bad streamId',
      { streamId: 'nope', items: [{ productId: P, quantity: 1 }] },
      'That is not a valid stream id.',
      ['streamId'],
    ],
    ['no items', {}, 'Enter the order lines.', ['items']],
    ['empty items', { items: [] }, 'The order lines must have at least 1 entry.', ['items']],
    ['items not an array', { items: 'all' }, 'The order lines must be a list.', ['items']],
    [
      '21 lines',
      { items: Array.from({ length: 21 }, () => ({ productId: P, quantity: 1 })) },
      'The order lines must have at most 20 entries.',
      ['items'],
    ],
    [
      'an unknown field',
      { items: [{ productId: P, quantity: 1 }], coupon: 'FREE' },
      '“coupon” is not something this request accepts; leave it out.',
      ['coupon'],
    ],
    [
      'an unknown line field',
      { items: [{ productId: P, quantity: 1, discount: 5 }] },
      '“items.0.discount” is not something this request accepts; leave it out.',
      ['items.0.discount'],
    ],
    ['an array body', [], 'The body must be a JSON object.', ['']],
    ['a null body', null, 'The body must be a JSON object.', ['']],
  ])('refuses %s, naming the field and the rule', (_name, body, message, fields) => {
    expect(refusal(body)).toEqual({ message, fields });
  });

  it('names every problem of a body at once', () => {
    const r = refusal({ streamId: 1, items: [{ productId: 'x', quantity: 0 }], coupon: 1 });
    expect(r?.fields).toEqual(['coupon', 'items.0.productId', 'items.0.quantity', 'streamId']);
  });
});
