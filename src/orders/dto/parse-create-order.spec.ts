import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { validationPipe } from '../../common/validation/validation-pipe';
import { ValidationError } from '../../common/errors/domain-errors';
import { CreateOrderDto, OrderLineDto } from './order.dto';
import { ACCEPTED_LINE, ACCEPTED_TOP, parseCreateOrder } from './parse-create-order';

const P = '5b0f7f0e-1111-4222-8333-444455556667';
const S = '5b0f7f0e-1111-4222-8333-444455556666';

/** Field names a validator complains about, or null when it accepts. */
async function viaDecorators(body: unknown): Promise<string[] | null> {
  try {
    await validationPipe().transform(body, { type: 'body', metatype: CreateOrderDto, data: '' });
    return null;
  } catch (e) {
    return ((e as ValidationError).details!.fields as { field: string }[]).map((f) => f.field).sort();
  }
}
function viaParser(body: unknown): string[] | null {
  try {
    parseCreateOrder(body);
    return null;
  } catch (e) {
    return ((e as ValidationError).details!.fields as { field: string }[]).map((f) => f.field).sort();
  }
}

describe('parseCreateOrder', () => {
  const cases: [string, unknown][] = [
    ['a plain order', { items: [{ productId: P, quantity: 1 }] }],
    [
      'an order from a stream, with ignored client prices',
      { streamId: S, items: [{ productId: P, quantity: 2, priceCents: 1 }], totalCents: 2 },
    ],
    [
      'a line as an order returns it, with the price of the product and a sale claim',
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
    ['a null streamId', { streamId: null, items: [{ productId: P, quantity: 1 }] }],
    ['a zero quantity', { items: [{ productId: P, quantity: 0 }] }],
    ['a negative quantity', { items: [{ productId: P, quantity: -1 }] }],
    ['a huge quantity', { items: [{ productId: P, quantity: 1e12 }] }],
    ['a fractional quantity', { items: [{ productId: P, quantity: 1.5 }] }],
    ['a string quantity', { items: [{ productId: P, quantity: '2' }] }],
    ['a missing quantity', { items: [{ productId: P }] }],
    ['a bad productId', { items: [{ productId: 'x', quantity: 1 }] }],
    ['a bad streamId', { streamId: 'nope', items: [{ productId: P, quantity: 1 }] }],
    ['no items', {}],
    ['empty items', { items: [] }],
    ['items not an array', { items: 'all' }],
    ['21 lines', { items: Array.from({ length: 21 }, () => ({ productId: P, quantity: 1 })) }],
    ['an unknown field', { items: [{ productId: P, quantity: 1 }], coupon: 'FREE' }],
    ['an unknown line field', { items: [{ productId: P, quantity: 1, discount: 5 }] }],
  ];

  it.each(cases)('agrees with the DTO decorators on %s', async (_name, body) => {
    expect(viaParser(body)).toEqual(await viaDecorators(body));
  });

  it('accepts exactly the fields the DTOs declare', () => {
    const declared = (dto: new () => object) => [
      ...new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(dto, '', true, false)
          .map((m) => m.propertyName),
      ),
    ];
    expect([...ACCEPTED_TOP].sort()).toEqual(declared(CreateOrderDto).sort());
    expect([...ACCEPTED_LINE].sort()).toEqual(declared(OrderLineDto).sort());
  });

  it('names the field and the rule in its messages', () => {
    const message = (body: unknown) => {
      try {
        parseCreateOrder(body);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(message({ items: [{ productId: P, quantity: 0 }] })).toBe('quantity must be at least 1');
    expect(message({ items: [{ productId: P, quantity: 101 }] })).toBe('quantity must be at most 100');
    expect(message({ items: [{ productId: P, quantity: 1 }], coupon: 1 })).toBe('coupon: unknown field');
    expect(message([])).toBe('The body must be a JSON object');
  });
});
