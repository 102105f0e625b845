import { applyDecorators } from '@nestjs/common';

/**
 * Property decorators composed as if written one above the other, in this order. The lowest
 * applies first, as TypeScript applies stacked decorators: class-validator reports a property's
 * failed constraints in that order, so a shared field keeps the messages it had when written out.
 */
export function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...[...decorators].reverse());
}
