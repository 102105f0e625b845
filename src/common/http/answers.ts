import { applyDecorators, type Type } from '@nestjs/common';
import { ApiOperation, ApiResponse, type ApiOperationOptions } from '@nestjs/swagger';

/** What a route answers with a status: its body's DTO, a sentence saying when, both, or (null) neither. */
export type Answer = Type<unknown> | string | readonly [Type<unknown>, string] | null;

/**
 * A route's answers for the OpenAPI document, one entry a status:
 * `@Answers({ 200: OrderDto, 404: 'Not your order', 409: 'Not paid' })`.
 */
export function Answers(answers: Record<number, Answer>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(answers).map(([status, a]) =>
      ApiResponse({
        status: Number(status),
        ...(a === null
          ? {}
          : typeof a === 'string'
            ? { description: a }
            : Array.isArray(a)
              ? { type: a[0] as Type<unknown>, description: a[1] as string }
              : { type: a as Type<unknown> }),
      }),
    ),
  );
}

/**
 * A route's OpenAPI entry: what it does (its summary, or the operation when it also has a
 * description) and its answers (see Answers): `@Endpoint('End the stream (owner)', { 200: StreamDto })`.
 */
export function Endpoint(
  operation: string | ApiOperationOptions,
  answers: Record<number, Answer> = {},
): MethodDecorator {
  return applyDecorators(
    ApiOperation(typeof operation === 'string' ? { summary: operation } : operation),
    Answers(answers),
  );
}
