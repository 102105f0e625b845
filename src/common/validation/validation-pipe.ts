import { ValidationPipe } from '@nestjs/common';
import type { ValidationError as CvError } from 'class-validator';
import { ValidationError } from '../errors/domain-errors';
import { joinSentences, toSentence } from './sentences';

/**
 * Every failed constraint under its dotted field path (`items.0.quantity`),
 * nested DTOs included, each as a sentence a person can read (sentences.ts).
 */
export function flattenValidationErrors(
  errors: CvError[],
  parent = '',
): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints
      ? [
          {
            field,
            problems: Object.entries(e.constraints).map(([rule, message]) =>
              toSentence({ field, rule, message }),
            ),
          },
        ]
      : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * Request validation: unknown fields are refused, and every problem is told
 * as a sentence, with the fields it is about in `details.fields`. One
 * definition for HTTP (the app's global pipe) and the live room's socket
 * events (the gateway names its own pipes: Nest applies global pipes to HTTP
 * only).
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      return new ValidationError(joinSentences(fields.flatMap((f) => f.problems)), { fields });
    },
  });
}
