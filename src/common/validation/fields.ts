import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
} from 'class-validator';
import { stacked } from './stacked';
import { trimmed } from './text';

/**
 * An optional body field: when absent (undefined) its checks are skipped;
 * `null` is checked like any other value, so `{ "title": null }` is a 400
 * naming the field. (class-validator's @IsOptional skips null too, and a
 * null that got through reached NOT NULL columns as a 500.) Fields whose
 * null means "clear it" say `nullable: true`.
 */
export function OptionalField(opts: { nullable?: boolean } = {}): PropertyDecorator {
  return opts.nullable ? IsOptional() : ValidateIf((_o, value) => value !== undefined);
}

/**
 * A whole number from `min` to `max`, refused with the sentence that says what is wrong: not
 * whole (`notWhole` where the field has words of its own), negative, or under `min`; over `max`,
 * class-validator's own.
 */
export function WholeNumber(
  min: number,
  max: number,
  notWhole = '$property must be a whole number',
): PropertyDecorator {
  const tooSmall = min === 0 ? '$property must not be negative' : `$property must be at least ${min}`;
  return stacked(IsInt({ message: notWhole }), Min(min, { message: tooSmall }), Max(max));
}

/** The largest `offset` of a paged list: deeper pages cost a scan and help nobody. */
export const MAX_OFFSET = 1_000_000;

/**
 * A whole-number query parameter in [min, max]: decimal digits only, so
 * `1e20`, `1.5`, `0x10`, ` 7` and 9223372036854775808 are refused with the
 * field's name rather than reaching the database as a number it cannot take.
 */
export function QueryInt(min: number, max: number): PropertyDecorator {
  const message = `$property must be a whole number from ${min} to ${max}`;
  return applyDecorators(
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value,
    ),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2})))?$/i;

/**
 * Reads an ISO 8601 date (`2026-11-22`, UTC) or date-time with a zone
 * (`2026-11-22T10:00Z`, `…T10:00:00.5+05:30`), or undefined when it is not
 * one or names a day, hour or offset that does not exist (`2026-13-45`,
 * `2026-02-30`, `+99:99`): `new Date()` turns some of those into other
 * dates and others into Invalid Date, whose toISOString throws.
 */
export function parseIsoDateTime(text: string, opts: { dateOnly?: boolean } = {}): Date | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, , zone, zh, zm] = m;
  if (h === undefined && !opts.dateOnly) return undefined;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)) return undefined;
  if (zone && zone.toUpperCase() !== 'Z' && (Number(zh) > 14 || Number(zm) > 59)) return undefined;
  const date = new Date(h === undefined ? `${text}T00:00:00Z` : text);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/** A string that parseIsoDateTime reads (a date-time with a zone; `dateOnly` also takes a plain date). */
export function IsIsoDateTime(opts: { dateOnly?: boolean; message?: string } = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsoDateTime',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message:
          opts.message ??
          `$property must be an ISO 8601 ${opts.dateOnly ? 'date or ' : ''}date-time with a zone, e.g. 2026-11-22T10:00:00Z`,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseIsoDateTime(value, opts) !== undefined,
      },
    });
}

/**
 * A text field a person fills in (a street, a carrier): trimmed, then 1 to `maxLength`
 * characters; `empty` is the sentence they read when it is blank (or, required, missing). An
 * `optional` one may be left out, but not sent blank.
 */
export function TextField(opts: {
  maxLength: number;
  empty: string;
  optional?: boolean;
  example?: string;
  description?: string;
}): PropertyDecorator {
  const { maxLength, empty, optional, ...doc } = opts;
  return applyDecorators(
    optional ? ApiPropertyOptional({ ...doc, maxLength }) : ApiProperty({ ...doc, maxLength }),
    ...(optional ? [IsOptional()] : []),
    Transform(trimmed),
    // Left out, an optional one is not checked; sent as a number, it gets the type's own message.
    IsString(optional ? undefined : { message: empty }),
    MinLength(1, { message: empty }),
    MaxLength(maxLength),
  );
}
