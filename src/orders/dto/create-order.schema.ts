import type { FromSchema } from 'json-schema-to-ts';

/** Most units of one product in one order. */
export const MAX_QUANTITY = 100;
/** Most lines in one order. */
export const MAX_ITEMS = 20;

/** A field a client may send and the server ignores (documented, not validated). */
const ignored = <W extends string>(why: W) => ({ description: `Ignored: ${why}` }) as const;

/**
 * The body of `POST /api/orders`, the one definition of it: compiled by Ajv
 * into the route's validation (JsonSchemaPipe: the flash-sale hot path
 * spends no time in class-transformer), shown as is in the OpenAPI document,
 * and the source of the TypeScript type the service receives.
 *
 * Client prices, totals, titles and currencies are accepted and ignored: the
 * server prices every order, so a cart that keeps them, or a line as an
 * order returns it, can be sent as is. Any other field is refused, so a
 * misspelt `streamId` cannot silently lose the sale price.
 */
export const CREATE_ORDER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    streamId: {
      type: 'string',
      format: 'uuid',
      nullable: true,
      description: 'The stream the order comes from (flash-sale price, attribution)',
    },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ITEMS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['productId', 'quantity'],
        properties: {
          productId: { type: 'string', format: 'uuid' },
          quantity: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY, example: 1 },
          priceCents: ignored('the server prices every order'),
          unitPriceCents: ignored('the server prices every order'),
          salePriceCents: ignored('the server applies the flash sale it finds'),
          lineTotalCents: ignored('the server computes every total'),
          currency: ignored('the currency is the product’s'),
          title: ignored('the title is the product’s'),
          sale: ignored('the server applies the flash sale it finds'),
        },
      },
    },
    totalCents: ignored('the server computes the total'),
    currency: ignored('the currency is the products’'),
  },
} as const;

export type CreateOrderBody = FromSchema<typeof CREATE_ORDER_SCHEMA>;
