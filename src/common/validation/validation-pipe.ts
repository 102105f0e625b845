import { ValidationPipe } from '@nestjs/common';
import type { ValidationError as CvError } from 'class-validator';
import { ValidationError } from '../errors/domain-errors';

/** Every failed constraint under its dotted field path (`items.0.quantity`), nested DTOs included. */
export function flattenValidationErrors(
  errors: CvError[],
  parent = '',
): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * Request validation: unknown fields are refused, every message names its
 * field. One definition for HTTP (the app's global pipe) and the live
 * room's socket events (the gateway names its own pipes: Nest applies
 * global pipes to HTTP only).
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const message = fields.flatMap((f) =>
        f.problems.map((p) => (p.includes('should not exist') ? `${f.field}: unknown field` : p)),
      );
      return new ValidationError(message.join('; '), { fields });
    },
  });
}
