import Ajv, { type ErrorObject } from 'ajv';
import type { PipeTransform } from '@nestjs/common';
import { ValidationError } from '../errors/domain-errors';
import { joinSentences, toSentence, type FailedRule } from './sentences';

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
 * problem per field, as sentences (sentences.ts), as the class-validator DTOs do.
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
    throw new ValidationError(joinSentences(list.flatMap((f) => f.problems)), { fields: list });
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

const TYPE_RULES: Record<string, string> = {
  integer: 'isInt',
  number: 'isNumber',
  string: 'isString',
  boolean: 'isBoolean',
  array: 'isArray',
  object: 'isObject',
};

/** The field (dotted path) an Ajv error is about, and the sentence that says what is wrong. */
function describe(e: ErrorObject): { field: string; problem: string } {
  const path = e.instancePath.split('/').slice(1);
  const field = path.join('.');
  const name = path[path.length - 1] ?? '';
  const p = e.params as Record<string, unknown>;
  const say = (rule: string, message: string, at = field, extra: Partial<FailedRule> = {}) => ({
    field: at,
    problem: toSentence({ field: at, rule, message, ...extra }),
  });
  switch (e.keyword) {
    case 'additionalProperties': {
      const f = [...path, String(p.additionalProperty)].join('.');
      return say('whitelistValidation', `property ${f} should not exist`, f);
    }
    case 'required': {
      const f = [...path, String(p.missingProperty)].join('.');
      return say('isDefined', `${String(p.missingProperty)} should not be null or undefined`, f);
    }
    case 'type':
      if (field === '') return { field, problem: 'The body must be a JSON object.' };
      return say(TYPE_RULES[String(p.type)] ?? 'type', `${name} must be ${String(p.type)}`);
    case 'format':
      return say(p.format === 'uuid' ? 'isUuid' : 'format', `${name} must be a ${String(p.format)}`);
    case 'minimum':
      return say('min', `${name} must not be less than ${String(p.limit)}`);
    case 'maximum':
      return say('max', `${name} must not be greater than ${String(p.limit)}`);
    case 'minItems':
      return say('arrayMinSize', `${name} must contain at least ${String(p.limit)} elements`);
    case 'maxItems':
      return say('arrayMaxSize', `${name} must contain no more than ${String(p.limit)} elements`);
    case 'minLength':
      return say('minLength', `${name} must be longer than or equal to ${String(p.limit)} characters`);
    case 'maxLength':
      return say('maxLength', `${name} must be shorter than or equal to ${String(p.limit)} characters`);
    case 'enum':
      return say('isIn', `${name} must be one of the following values`, field, {
        allowed: p.allowedValues as unknown[],
      });
    default:
      return say(e.keyword, `${name || 'the body'} ${e.message ?? 'is invalid'}`);
  }
}
