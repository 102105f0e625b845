import { ValidationError } from '../../common/errors/domain-errors';
import { MAX_ITEMS, MAX_QUANTITY, type CreateOrderDto } from './order.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * The fields each level accepts. All but streamId, items, productId and
 * quantity are accepted and ignored: the server prices every order. The
 * same names as the DTOs declare (a test keeps them equal).
 */
export const ACCEPTED_TOP: ReadonlySet<string> = new Set(['streamId', 'items', 'totalCents', 'currency']);
export const ACCEPTED_LINE: ReadonlySet<string> = new Set([
  'productId',
  'quantity',
  'priceCents',
  'unitPriceCents',
  'salePriceCents',
  'lineTotalCents',
  'currency',
  'title',
  'sale',
]);

/**
 * Validates the body of POST /api/orders by hand, with the same rules and
 * messages as CreateOrderDto's decorators (which still document it). The
 * order route is the hot path of a flash sale, where class-transformer plus
 * class-validator cost tens of microseconds per request; this costs a few.
 * The parity is a unit test (parse-create-order.spec.ts).
 */
export function parseCreateOrder(body: unknown): CreateOrderDto {
  const problems: { field: string; problems: string[] }[] = [];
  const bad = (field: string, problem: string) => {
    const f = problems.find((p) => p.field === field);
    if (f) f.problems.push(problem);
    else problems.push({ field, problems: [problem] });
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The body must be a JSON object', { fields: [] });
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!ACCEPTED_TOP.has(k)) bad(k, `${k}: unknown field`);
  if (
    b.streamId !== undefined &&
    b.streamId !== null &&
    (typeof b.streamId !== 'string' || !UUID.test(b.streamId))
  ) {
    bad('streamId', 'streamId must be a UUID');
  }
  const items: { productId: string; quantity: number }[] = [];
  if (!Array.isArray(b.items)) {
    bad('items', 'items must be an array');
  } else {
    if (b.items.length < 1) bad('items', 'items must contain at least one line');
    if (b.items.length > MAX_ITEMS) bad('items', `items must contain at most ${MAX_ITEMS} lines`);
    b.items.forEach((raw: unknown, i) => {
      const at = `items.${i}`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        bad(at, 'nested property items must be either object or array');
        return;
      }
      const line = raw as Record<string, unknown>;
      for (const k of Object.keys(line))
        if (!ACCEPTED_LINE.has(k)) bad(`${at}.${k}`, `${at}.${k}: unknown field`);
      const { productId, quantity } = line;
      if (typeof productId !== 'string' || !UUID.test(productId))
        bad(`${at}.productId`, 'productId must be a UUID');
      if (typeof quantity !== 'number' || !Number.isInteger(quantity)) {
        bad(`${at}.quantity`, 'quantity must be a whole number');
      } else if (quantity < 1) {
        bad(`${at}.quantity`, 'quantity must be at least 1');
      } else if (quantity > MAX_QUANTITY) {
        bad(`${at}.quantity`, `quantity must be at most ${MAX_QUANTITY}`);
      }
      items.push({ productId: productId as string, quantity: quantity as number });
    });
  }
  if (problems.length > 0) {
    throw new ValidationError(problems.flatMap((p) => p.problems).join('; '), { fields: problems });
  }
  return { streamId: (b.streamId as string | null | undefined) ?? undefined, items };
}
