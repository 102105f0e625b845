import Ajv, { type ErrorObject } from 'ajv';
import type { PipeTransform } from '@nestjs/common';
import { ValidationError } from '../errors/domain-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One Ajv for the app's JSON-schema bodies. No coercion, defaults or silent
 * removal: a body is valid as sent or refused naming every problem. The
 * schemas are written in OpenAPI 3.0's dialect (`nullable`, `example`), so
 * the same object documents the route.
 */
const ajv = new Ajv({
  allErrors: true,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  strictSchema: false,
});
// Strict (ajv-formats' "uuid" also takes a `urn:uuid:` prefix, which PostgreSQL refuses).
ajv.addFormat('uuid', UUID);

/**
 * Compiles `schema` once into a validator that returns the body as `T` or
 * throws the app's ValidationError (400 `validation_failed`), with one
 * problem per field in the words the class-validator DTOs use.
 */
export function compileBody<T>(schema: object): (body: unknown) => T {
  const validate = ajv.compile(schema);
  return (body) => {
    if (validate(body)) return body as T;
    const fields = new Map<string, string[]>();
    for (const e of validate.errors ?? []) {
      const { field, problem } = describe(e);
      const list = fields.get(field);
      if (list) list.push(problem);
      else fields.set(field, [problem]);
    }
    const list = [...fields].map(([field, problems]) => ({ field, problems }));
    throw new ValidationError(list.flatMap((f) => f.problems).join('; '), { fields: list });
  };
}

/** A Nest pipe for `@Body(new JsonSchemaPipe(SCHEMA))`. */
export class JsonSchemaPipe<T> implements PipeTransform<unknown, T> {
  private readonly validate: (body: unknown) => T;

  constructor(schema: object) {
    this.validate = compileBody<T>(schema);
  }

  transform(value: unknown): T {
    return this.validate(value);
  }
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

/** The field (dotted path) an Ajv error is about, and the sentence that says what is wrong. */
function describe(e: ErrorObject): { field: string; problem: string } {
  const path = e.instancePath.split('/').slice(1);
  const field = path.join('.');
  const name = path[path.length - 1] ?? '';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const f = [...path, String(p.additionalProperty)].join('.');
      return { field: f, problem: `${f}: unknown field` };
    }
    case 'required': {
      const f = [...path, String(p.missingProperty)].join('.');
      return { field: f, problem: `${String(p.missingProperty)} is required` };
    }
    case 'type':
      if (field === '') return { field, problem: 'The body must be a JSON object' };
      return { field, problem: `${name} must be ${TYPE_WORDS[String(p.type)] ?? String(p.type)}` };
    case 'format':
      return {
        field,
        problem: `${name} must be ${p.format === 'uuid' ? 'a UUID' : `a ${String(p.format)}`}`,
      };
    case 'minimum':
      return { field, problem: `${name} must be at least ${String(p.limit)}` };
    case 'maximum':
      return { field, problem: `${name} must be at most ${String(p.limit)}` };
    case 'minItems':
      return {
        field,
        problem: `${name} must contain at least ${plural(Number(p.limit), 'entry', 'entries')}`,
      };
    case 'maxItems':
      return {
        field,
        problem: `${name} must contain at most ${plural(Number(p.limit), 'entry', 'entries')}`,
      };
    case 'minLength':
      return { field, problem: `${name} must be at least ${plural(Number(p.limit), 'character')} long` };
    case 'maxLength':
      return { field, problem: `${name} must be at most ${plural(Number(p.limit), 'character')} long` };
    case 'enum':
      return {
        field,
        problem: `${name} must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    default:
      return { field, problem: `${name || 'the body'} ${e.message ?? 'is invalid'}` };
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
